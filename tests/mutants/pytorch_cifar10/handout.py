"""Correct answer cells written to the handout's task, not to the master's design (see autograder/check/mutants.py).

Each entry replaces a whole answer cell of the master with code a good student of the original handout writes:
its variable names and layout, tensors moved to ``device``, the training call left at the end of the cell as the
original handout had it (the given cell after it then trains a second epoch), prints. Every one must keep every
point.
"""
from autograder.check.mutants import Alternative

BAREBONES = '''\
def three_layer_convnet(x, params):
    conv_w1, conv_b1, conv_w2, conv_b2, fc_w, fc_b = params
    scores = None
    ################################################################################
    # Implement the forward pass for the three-layer ConvNet.                      #
    ################################################################################
    x = F.conv2d(x, conv_w1, bias=conv_b1, padding=2)
    x = F.relu(x)
    x = F.conv2d(x, conv_w2, bias=conv_b2, padding=1)
    x = F.relu(x)
    x = flatten(x)
    scores = x.mm(fc_w) + fc_b
    return scores
'''

BAREBONES_INIT = '''\
torch.manual_seed(0)
learning_rate = 3e-3
channel_1 = 32
channel_2 = 16

conv_w1 = random_weight((channel_1, 3, 5, 5))
conv_b1 = zero_weight(channel_1)
conv_w2 = random_weight((channel_2, channel_1, 3, 3))
conv_b2 = zero_weight(channel_2)
fc_w = random_weight((channel_2 * 32 * 32, 10))
fc_b = zero_weight(10)

params = [conv_w1, conv_b1, conv_w2, conv_b2, fc_w, fc_b]
print([tuple(p.shape) for p in params])
'''

MODULE = '''\
class ThreeLayerConvNet(nn.Module):
    def __init__(self, in_channel, channel_1, channel_2, num_classes):
        super().__init__()
        self.conv_1 = nn.Conv2d(in_channel, channel_1, 5, padding=2, bias=True)
        nn.init.kaiming_normal_(self.conv_1.weight)
        self.conv_2 = nn.Conv2d(channel_1, channel_2, 3, padding=1, bias=True)
        nn.init.kaiming_normal_(self.conv_2.weight)
        self.fc_1 = nn.Linear(channel_2 * 32 * 32, num_classes)
        nn.init.kaiming_normal_(self.fc_1.weight)

    def forward(self, x):
        scores = None
        x = F.relu(self.conv_1(x))
        x = F.relu(self.conv_2(x))
        x = flatten(x)
        scores = self.fc_1(x)
        return scores
'''

MODULE_TRAINING = '''\
torch.manual_seed(0)
learning_rate = 3e-3
channel_1 = 32
channel_2 = 16

model = ThreeLayerConvNet(in_channel=3, channel_1=channel_1, channel_2=channel_2, num_classes=10).to(device)
optimizer = optim.SGD(model.parameters(), lr=learning_rate)

train_part34(model, optimizer)
'''

SEQUENTIAL = '''\
torch.manual_seed(0)
channel_1 = 32
channel_2 = 16
learning_rate = 1e-2

model = nn.Sequential(
    nn.Conv2d(3, channel_1, 5, padding=2),
    nn.ReLU(),
    nn.Conv2d(channel_1, channel_2, 3, padding=1),
    nn.ReLU(),
    Flatten(),
    nn.Linear(channel_2 * 32 * 32, 10),
)
optimizer = optim.SGD(model.parameters(), lr=learning_rate, momentum=0.9, nesterov=True)

train_part34(model, optimizer)
'''

ALTERNATIVES = [
    Alternative("handout-style barebones forward: one operation a line, bias= keywords", "Q1_solution",
                source=BAREBONES),
    Alternative("handout-style barebones parameters: integer shapes for the biases, a print", "Q2_solution",
                source=BAREBONES_INIT),
    Alternative("handout-style module: its own attribute names, init after each layer", "Q3_solution", source=MODULE),
    Alternative("handout-style module training: .to(device), the train_part34 call left in the cell", "Q4_solution",
                source=MODULE_TRAINING),
    Alternative("handout-style Sequential: the train_part34 call left in the cell", "Q5_solution", source=SEQUENTIAL),
]
