"""Q1 three_layer_convnet: bugs in the master's Q1_solution and correct variants of it."""
from autograder.check.mutants import Alternative, Mutant

CONV1 = "hidden = F.relu(F.conv2d(x, conv_w1, conv_b1, padding=2))"
CONV2 = "hidden = F.relu(F.conv2d(hidden, conv_w2, conv_b2, padding=1))"
FC = "scores = flatten(hidden).mm(fc_w) + fc_b"
ITEM = "Q1_three_layer_convnet"

MUTANTS = [
    Mutant(ITEM, "no bias in the first convolution", "Q1_solution",
           ((CONV1, "hidden = F.relu(F.conv2d(x, conv_w1, padding=2))"),)),
    Mutant(ITEM, "no bias in the fully connected layer", "Q1_solution", ((FC, "scores = flatten(hidden).mm(fc_w)"),)),
    Mutant(ITEM, "padding 1 in the first convolution (the maps shrink)", "Q1_solution",
           ((CONV1, "hidden = F.relu(F.conv2d(x, conv_w1, conv_b1, padding=1))"),)),
    Mutant(ITEM, "no ReLU after the second convolution", "Q1_solution",
           ((CONV2, "hidden = F.conv2d(hidden, conv_w2, conv_b2, padding=1)"),)),
    Mutant(ITEM, "a ReLU after the last layer", "Q1_solution",
           ((FC, "scores = F.relu(flatten(hidden).mm(fc_w) + fc_b)"),)),
    Mutant(ITEM, "a softmax at the end", "Q1_solution",
           ((FC, "scores = F.softmax(flatten(hidden).mm(fc_w) + fc_b, dim=1)"),)),
    Mutant(ITEM, "flattens channels last (N, H, W, C)", "Q1_solution",
           ((FC, "scores = hidden.permute(0, 2, 3, 1).reshape(len(hidden), -1).mm(fc_w) + fc_b"),)),
]

ALTERNATIVES = [
    Alternative("F.linear with the transposed weight, torch.relu, reshape, padding as a tuple", "Q1_solution",
                ((CONV1, "hidden = torch.relu(F.conv2d(x, conv_w1, bias=conv_b1, stride=1, padding=(2, 2)))"),
                 (CONV2, "hidden = F.conv2d(hidden, conv_w2, conv_b2, padding=1).clamp(min=0)"),
                 (FC, "scores = F.linear(hidden.reshape(hidden.shape[0], -1), fc_w.t(), fc_b)"))),
    Alternative("padding='same' and the matrix product operator", "Q1_solution",
                ((CONV1, "hidden = F.relu(F.conv2d(x, conv_w1, conv_b1, padding='same'))"),
                 (CONV2, "hidden = F.relu(F.conv2d(hidden, conv_w2, conv_b2, padding='same'))"),
                 (FC, "scores = torch.flatten(hidden, start_dim=1) @ fc_w + fc_b"))),
]
