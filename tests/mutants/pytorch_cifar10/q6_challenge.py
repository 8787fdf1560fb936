"""Q6 the challenge's architecture, graded with the master's trained weights: architectures that do not fit the
weights, or fit them but compute something else, and correct variants of the cell."""
from autograder.check.mutants import Alternative, Mutant

BLOCK = "return [nn.Conv2d(channels_in, channels_out, 3, padding=1, bias=False), nn.BatchNorm2d(channels_out),"
STAGE_1 = "*block(3, 32), *block(32, 32), nn.MaxPool2d(2),"
ITEM = "Q6_challenge"

MUTANTS = [
    Mutant(ITEM, "convolutions with biases the weights do not have", "Q6_solution",
           ((BLOCK, "return [nn.Conv2d(channels_in, channels_out, 3, padding=1), nn.BatchNorm2d(channels_out),"),)),
    Mutant(ITEM, "a first stage of 64 filters where the weights have 32", "Q6_solution",
           ((STAGE_1, "*block(3, 64), *block(64, 32), nn.MaxPool2d(2),"),)),
    Mutant(ITEM, "average pooling where the network was trained with max pooling", "Q6_solution",
           ((STAGE_1, "*block(3, 32), *block(32, 32), nn.AvgPool2d(2),"),)),
    Mutant(ITEM, "ReLU before batch normalization, the order it was not trained in", "Q6_solution",
           ((BLOCK, "return [nn.Conv2d(channels_in, channels_out, 3, padding=1, bias=False), nn.ReLU(),"),
            ("        nn.ReLU()]", "        nn.BatchNorm2d(channels_out)]"))),
]

ALTERNATIVES = [
    Alternative("the same layers written out, in-place ReLUs and nn.Flatten", "Q6_solution", source='''\
def challenge_model():
    layers = []
    for channels_in, channels_out, pool in [(3, 32, False), (32, 32, True), (32, 64, False), (64, 64, True)]:
        layers += [nn.Conv2d(channels_in, channels_out, kernel_size=3, padding=1, bias=False),
                   nn.BatchNorm2d(channels_out), nn.ReLU(inplace=True)]
        if pool:
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
    layers += [nn.Conv2d(64, 128, 3, padding=1, bias=False), nn.BatchNorm2d(128), nn.ReLU(inplace=True),
               nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Dropout(p=0.2), nn.Linear(128, 10)]
    return nn.Sequential(*layers)
'''),
]
