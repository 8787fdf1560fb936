"""Hollow answers: code that does none of the work of its cell. Each must score nothing in its question (beyond
the part it does do, named in its description)."""
from autograder.check.mutants import Hollow

THREE_LAYER_INIT = '''\
class ThreeLayerConvNet(nn.Module):
    def __init__(self, in_channel, channel_1, channel_2, num_classes):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channel, channel_1, kernel_size=5, padding=2)
        self.conv2 = nn.Conv2d(channel_1, channel_2, kernel_size=3, padding=1)
        self.fc = nn.Linear(channel_2 * 32 * 32, num_classes)
        for layer in (self.conv1, self.conv2, self.fc):
            nn.init.kaiming_normal_(layer.weight)
'''

SEQUENTIAL = '''\
torch.manual_seed(0)
channel_1 = 32
channel_2 = 16
learning_rate = 1e-2
model = nn.Sequential(nn.Conv2d(3, channel_1, 5, padding=2), nn.ReLU(), nn.Conv2d(channel_1, channel_2, 3, padding=1),
                      nn.ReLU(), Flatten(), nn.Linear(channel_2 * 32 * 32, 10))
'''

HOLLOW = [
    Hollow("three_layer_convnet that returns zero scores", "Q1_solution", '''\
def three_layer_convnet(x, params):
    return torch.zeros(x.shape[0], params[5].shape[0])
'''),
    Hollow("three_layer_convnet that returns the last bias for every image", "Q1_solution", '''\
def three_layer_convnet(x, params):
    return params[5].expand(x.shape[0], -1)
'''),
    Hollow("parameters of the right shapes, all zero (the shape test's point only)", "Q2_solution", '''\
torch.manual_seed(0)
learning_rate = 3e-3
params = [zero_weight(shape) for shape in [(32, 3, 5, 5), (32,), (16, 32, 3, 3), (16,), (16 * 32 * 32, 10), (10,)]]
''', keeps=1),
    Hollow("a module without layers that returns zero scores", "Q3_solution", '''\
class ThreeLayerConvNet(nn.Module):
    def __init__(self, in_channel, channel_1, channel_2, num_classes):
        super().__init__()
        self.num_classes = num_classes

    def forward(self, x):
        return torch.zeros(x.shape[0], self.num_classes)
'''),
    Hollow("the layers and their initialization, but a forward that returns zero scores (their two points only)",
           "Q3_solution", THREE_LAYER_INIT + '''
    def forward(self, x):
        return torch.zeros(x.shape[0], self.fc.out_features)
''', keeps=2),
    Hollow("the model with an optimizer that does not move it (learning rate 0)", "Q4_solution", '''\
torch.manual_seed(0)
model = ThreeLayerConvNet(3, 32, 16, 10)
optimizer = optim.SGD(model.parameters(), lr=0.0)
'''),
    Hollow("the Sequential layers with an optimizer that does not move them (the layers' point only)", "Q5_solution",
           SEQUENTIAL + "optimizer = optim.SGD(model.parameters(), lr=0.0, momentum=0.9, nesterov=True)\n", keeps=1),
    Hollow("a challenge network of one linear layer, which no trained weights of the notebook fit", "Q6_solution", '''\
def challenge_model():
    return nn.Sequential(Flatten(), nn.Linear(3 * 32 * 32, 10))
'''),
]
