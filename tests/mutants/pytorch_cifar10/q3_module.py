"""Q3 ThreeLayerConvNet: bugs in the master's Q3_solution and correct variants of it."""
from autograder.check.mutants import Alternative, Mutant

CONV1 = "self.conv1 = nn.Conv2d(in_channel, channel_1, kernel_size=5, padding=2)"
INIT = "nn.init.kaiming_normal_(layer.weight)"
FORWARD1 = "hidden = F.relu(self.conv1(x))"
FORWARD2 = "hidden = F.relu(self.conv2(hidden))"
SCORES = "scores = self.fc(flatten(hidden))"
ITEM = "Q3_module"

MUTANTS = [
    Mutant(ITEM, "PyTorch's default initialization (no kaiming_normal_)", "Q3_solution", ((INIT, "pass"),)),
    Mutant(ITEM, "Kaiming initialization by fan-out", "Q3_solution",
           ((INIT, "nn.init.kaiming_normal_(layer.weight, mode='fan_out')"),)),
    Mutant(ITEM, "no bias in the first convolution", "Q3_solution",
           ((CONV1, "self.conv1 = nn.Conv2d(in_channel, channel_1, kernel_size=5, padding=2, bias=False)"),)),
    Mutant(ITEM, "no ReLU after the second convolution", "Q3_solution", ((FORWARD2, "hidden = self.conv2(hidden)"),)),
    Mutant(ITEM, "a softmax at the end", "Q3_solution",
           ((SCORES, "scores = F.softmax(self.fc(flatten(hidden)), dim=1)"),)),
    Mutant(ITEM, "a new first convolution made in forward", "Q3_solution",
           ((FORWARD1, "hidden = F.relu(nn.Conv2d(x.shape[1], self.conv1.out_channels, 5, padding=2)(x))"),)),
]

ALTERNATIVES = [
    Alternative("other attribute names, nn.ReLU modules and x.view", "Q3_solution", source='''\
class ThreeLayerConvNet(nn.Module):
    def __init__(self, in_channel, channel_1, channel_2, num_classes):
        super().__init__()
        self.first = nn.Conv2d(in_channel, channel_1, (5, 5), padding=(2, 2))
        self.second = nn.Conv2d(channel_1, channel_2, (3, 3), padding=(1, 1))
        self.relu = nn.ReLU()
        self.classifier = nn.Linear(channel_2 * 32 * 32, num_classes)
        nn.init.kaiming_normal_(self.first.weight)
        nn.init.kaiming_normal_(self.second.weight)
        nn.init.kaiming_normal_(self.classifier.weight)

    def forward(self, x):
        x = self.relu(self.first(x))
        x = self.relu(self.second(x))
        return self.classifier(x.view(x.size(0), -1))
'''),
    Alternative("kaiming_normal_ with nonlinearity='relu' and the modules' flatten", "Q3_solution",
                ((INIT, "nn.init.kaiming_normal_(layer.weight, nonlinearity='relu')"),
                 (SCORES, "scores = self.fc(torch.flatten(hidden, 1))"))),
]
