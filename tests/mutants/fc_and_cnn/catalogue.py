"""Realistic bugs and correct variants of the fc_and_cnn master's answer cells (see autograder/check/mutants.py).

Every mutant is a mistake students make, written as a small edit of the master's answer cell; it must lose
points on its item and nowhere outside its question. Every alternative is a correct solution written
differently; it must keep every point.
"""
from autograder.check.mutants import Alternative, Mutant

FC_OUT = "out = x.reshape(x.shape[0], -1) @ w + b"
FC_DX = "dx = (dout @ w.T).reshape(x.shape)"
FC_DW = "dw = x.reshape(x.shape[0], -1).T @ dout"
FC_DB = "db = dout.sum(axis=0)"
RELU_OUT = "out = np.maximum(0, x)"
RELU_DX = "dx = dout * (x > 0)"
SHIFT = "shifted = x - x.max(axis=1, keepdims=True)"
LOG_PROBS = "log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))"
ONEHOT = "dx[np.arange(n), y] -= 1"
TWO_INIT_W1 = 'self.params["W1"] = weight_scale * np.random.randn(input_dim, hidden_dim)'
TWO_REG = 'loss += 0.5 * self.reg * (np.sum(self.params["W1"] ** 2) + np.sum(self.params["W2"] ** 2))'
FCN_SCORES = "scores, scores_cache = fc_forward(hidden, self.params[f\"W{last}\"], self.params[f\"b{last}\"])"
VELOCITY = 'velocity = config["momentum"] * velocity - config["learning_rate"] * dw'
COMPARE_RULES = '[("sgd", "sgd"), ("sgd_momentum", sgd_momentum)]'
CNN_CONV1 = "x = self.pool(F.relu(self.conv1(x)))"
CNN_FC1 = "x = F.relu(self.fc1(x.flatten(1)))"
BN_CONV1 = "x = self.bn1(self.pool(F.relu(self.conv1(x))))"
BN_CONV2 = "x = self.bn2(self.pool(F.relu(self.conv2(x))))"
GRID = "grid = visualize_grid(weights.transpose(0, 2, 3, 1))"

MUTANTS = [
    # Q1 fc_forward
    Mutant("Q1_fc_forward", "forgets the bias", "Q1_solution", ((FC_OUT, "out = x.reshape(x.shape[0], -1) @ w"),)),
    Mutant("Q1_fc_forward", "flattens in Fortran order", "Q1_solution",
           ((FC_OUT, 'out = x.reshape(x.shape[0], -1, order="F") @ w + b'),)),
    Mutant("Q1_fc_forward", "reshapes x itself, so the cache holds the flattened input", "Q1_solution",
           ((FC_OUT, "x = x.reshape(x.shape[0], -1)\n    out = x @ w + b"),)),
    # Q2 fc_backward
    Mutant("Q2_fc_backward", "dx keeps the flattened shape", "Q2_solution", ((FC_DX, "dx = dout @ w.T"),)),
    Mutant("Q2_fc_backward", "db averages over the batch", "Q2_solution", ((FC_DB, "db = dout.mean(axis=0)"),)),
    Mutant("Q2_fc_backward", "dw computed transposed", "Q2_solution",
           ((FC_DW, "dw = dout.T @ x.reshape(x.shape[0], -1)"),)),
    Mutant("Q2_fc_backward", "dx reshaped in Fortran order", "Q2_solution",
           ((FC_DX, 'dx = (dout @ w.T).reshape(x.shape, order="F")'),)),
    # Q3 relu_forward
    Mutant("Q3_relu_forward", "clips x in place", "Q3_solution", ((RELU_OUT, "x[x < 0] = 0\n    out = x"),)),
    Mutant("Q3_relu_forward", "leaky ReLU", "Q3_solution", ((RELU_OUT, "out = np.maximum(0.01 * x, x)"),)),
    Mutant("Q3_relu_forward", "returns the mask", "Q3_solution", ((RELU_OUT, "out = (x > 0).astype(float)"),)),
    # Q4 relu_backward
    Mutant("Q4_relu_backward", "lets the gradient through at x = 0", "Q4_solution",
           ((RELU_DX, "dx = dout * (x >= 0)"),)),
    Mutant("Q4_relu_backward", "forgets the upstream gradient", "Q4_solution", ((RELU_DX, "dx = (x > 0) * 1.0"),)),
    Mutant("Q4_relu_backward", "masks by the upstream gradient", "Q4_solution", ((RELU_DX, "dx = dout * (dout > 0)"),)),
    Mutant("Q4_relu_backward", "multiplies by the activation", "Q4_solution",
           ((RELU_DX, "dx = dout * np.maximum(0, x)"),)),
    # Q5 softmax_loss
    Mutant("Q5_softmax_loss", "no max subtraction", "Q5_solution", ((SHIFT, "shifted = x"),)),
    Mutant("Q5_softmax_loss", "takes the log of a softmax that underflows", "Q5_solution",
           ((LOG_PROBS, "log_probs = np.log(np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True))"),)),
    Mutant("Q5_softmax_loss", "gradient not divided by N", "Q5_solution", (("    dx /= n\n", ""),)),
    Mutant("Q5_softmax_loss", "subtracts one from whole columns", "Q5_solution", ((ONEHOT, "dx[:, y] -= 1"),)),
    Mutant("Q5_softmax_loss", "sums instead of averaging the loss", "Q5_solution",
           (("loss = -log_probs[np.arange(n), y].mean()", "loss = -log_probs[np.arange(n), y].sum()"),)),
    # Q6 TwoLayerNet
    Mutant("Q6_two_layer_net", "no ReLU (the seed's own bug)", "Q6_solution",
           (("fc_relu_forward(X, ", "fc_forward(X, "), ("fc_relu_backward(dhidden, ", "fc_backward(dhidden, "))),
    Mutant("Q6_two_layer_net", "regularization without the 1/2", "Q6_solution",
           ((TWO_REG, TWO_REG.replace("0.5 * ", "")),)),
    Mutant("Q6_two_layer_net", "forgets the regularization gradient of W2", "Q6_solution",
           (('        grads["W2"] += self.reg * self.params["W2"]\n', ""),)),
    Mutant("Q6_two_layer_net", "uniform initial weights", "Q6_solution",
           ((TWO_INIT_W1, TWO_INIT_W1.replace("randn", "rand")),)),
    # Q7 training
    Mutant("Q7_training", "learning rate far too small", "Q7_solution",
           (('optim_config={"learning_rate": 5e-4}', 'optim_config={"learning_rate": 1e-8}'),)),
    Mutant("Q7_training", "never calls train()", "Q7_solution", (("    solver.train()\n", ""),)),
    Mutant("Q7_training", "asks for an update rule that does not exist", "Q7_solution",
           (('update_rule="adam"', 'update_rule="momentum"'),)),
    # Q8 FullyConnectedNet
    Mutant("Q8_fully_connected_net", "ReLU on the scores too", "Q8_solution",
           ((FCN_SCORES, FCN_SCORES.replace("fc_forward", "fc_relu_forward")),
            ("fc_backward(dscores, scores_cache)", "fc_relu_backward(dscores, scores_cache)"))),
    Mutant("Q8_fully_connected_net", "ignores the seed", "Q8_solution",
           (("        if seed is not None:\n            np.random.seed(seed)\n", ""),)),
    Mutant("Q8_fully_connected_net", "no regularization gradient for the last layer", "Q8_solution",
           (("for layer in range(1, last + 1):\n            grads", "for layer in range(1, last):\n            grads"),)),
    Mutant("Q8_fully_connected_net", "regularization without the 1/2", "Q8_solution",
           (("loss += 0.5 * self.reg * sum(", "loss += self.reg * sum("),)),
    # Q9 sgd_momentum and the comparison
    Mutant("Q9_sgd_momentum", "forgets to store the velocity", "Q9_solution",
           (('    config["velocity"] = velocity\n', ""),)),
    Mutant("Q9_sgd_momentum", "velocity without the learning rate", "Q9_solution",
           ((VELOCITY, 'velocity = config["momentum"] * velocity - dw'),)),
    Mutant("Q9_sgd_momentum", "steps with the old velocity", "Q9_solution",
           ((f"{VELOCITY}\n    next_w = w + velocity", f"next_w = w + velocity\n    {VELOCITY}"),)),
    Mutant("Q9_comparison", "trains both networks with plain SGD", "Q9_solution",
           ((COMPARE_RULES, '[("sgd", "sgd"), ("sgd_momentum", "sgd")]'),)),
    Mutant("Q9_comparison", "another architecture", "Q9_solution", (("[256, 128, 64]", "[256, 128]"),)),
    Mutant("Q9_comparison", "ignores num_epochs", "Q9_solution",
           (("update_rule=rule, num_epochs=num_epochs", "update_rule=rule, num_epochs=5"),)),
    # Q10 best model
    Mutant("Q10_training", "learning rate far too small", "Q10_solution",
           (('optim_config={"learning_rate": 1e-2, "momentum": 0.9},\n                    lr_decay=0.9',
             'optim_config={"learning_rate": 1e-7, "momentum": 0.9},\n                    lr_decay=0.9'),)),
    Mutant("Q10_training", "trains for more than 50 epochs", "Q10_solution",
           (("num_epochs=20", "num_epochs=55"),)),
    Mutant("Q10_training", "never calls train()", "Q10_solution", (("    solver.train()\n", ""),)),
    # Q11 CNN
    Mutant("Q11_cnn", "no ReLU after conv1", "Q11_solution", ((CNN_CONV1, "x = self.pool(self.conv1(x))"),)),
    Mutant("Q11_cnn", "no ReLU after fc1", "Q11_solution", ((CNN_FC1, "x = self.fc1(x.flatten(1))"),)),
    Mutant("Q11_cnn", "softmax on the scores", "Q11_solution",
           (("        return self.fc2(x)", "        return F.softmax(self.fc2(x), dim=1)"),)),
    Mutant("Q11_cnn", "a 3x3 second convolution", "Q11_solution",
           (("self.conv2 = nn.Conv2d(6, 16, 5)", "self.conv2 = nn.Conv2d(6, 16, 3)"),
            ("self.fc1 = nn.Linear(16 * 6 * 27, 256)", "self.fc1 = nn.Linear(16 * 7 * 28, 256)"))),
    # Q12 train_cnn and cnn_accuracy
    Mutant("Q12_training", "never zeroes the gradients", "Q12_solution", (("            optimizer.zero_grad()\n", ""),)),
    Mutant("Q12_training", "steps the schedule after every batch", "Q12_solution",
           (("            losses.append(loss.item())\n        scheduler.step()\n",
             "            losses.append(loss.item())\n            scheduler.step()\n"),)),
    Mutant("Q12_training", "the same shuffle every epoch", "Q12_solution", (("seed=seed + epoch", "seed=seed"),)),
    Mutant("Q12_training", "evaluates in training mode", "Q12_solution",
           (("    model.eval()\n    correct = 0", "    correct = 0"),)),
    # Q13 CNN with batch norm
    Mutant("Q13_cnn_batchnorm", "batch norm before pooling", "Q13_solution",
           ((BN_CONV1, "x = self.pool(self.bn1(F.relu(self.conv1(x))))"),)),
    Mutant("Q13_cnn_batchnorm", "batch norm before the ReLU", "Q13_solution",
           ((BN_CONV2, "x = self.pool(F.relu(self.bn2(self.conv2(x))))"),)),
    Mutant("Q13_cnn_batchnorm", "bn2 never used", "Q13_solution", ((BN_CONV2, "x = self.pool(F.relu(self.conv2(x)))"),)),
    Mutant("Q13_cnn_batchnorm", "batch norm without a learned scale and shift", "Q13_solution",
           (("self.bn1 = nn.BatchNorm2d(6)", "self.bn1 = nn.BatchNorm2d(6, affine=False)"),)),
    # Q14 training the batch-norm CNN
    Mutant("Q14_training", "trains the network without batch norm", "Q14_solution",
           (("bn_cnn = CNNWithBatchNorm()", "bn_cnn = CNNWithoutBatchNorm()"),)),
    Mutant("Q14_training", "does not train", "Q14_solution",
           (("bn_cnn_losses = train_cnn(bn_cnn, data, CNN_EPOCHS)", "bn_cnn_losses = [0.0] * CNN_EPOCHS"),)),
    Mutant("Q14_training", "learning rate far too small", "Q14_solution",
           (("train_cnn(bn_cnn, data, CNN_EPOCHS)", "train_cnn(bn_cnn, data, CNN_EPOCHS, lr=1e-6)"),)),
    # Q15 filter grid
    Mutant("Q15_filters", "no transpose", "Q15_solution", ((GRID, "grid = visualize_grid(weights)"),)),
    Mutant("Q15_filters", "swaps the filter's rows and columns", "Q15_solution",
           ((GRID, "grid = visualize_grid(weights.transpose(0, 3, 2, 1))"),)),
    Mutant("Q15_filters", "shows conv2", "Q15_solution", (("model.conv1.weight", "model.conv2.weight"),)),
    Mutant("Q15_filters", "scaled to [0, 1]", "Q15_solution",
           ((GRID, "grid = visualize_grid(weights.transpose(0, 2, 3, 1), ubound=1.0)"),)),
    # Q16 counts
    Mutant("Q16_counts", "forgets the biases of the FC net", "Q16_solution",
           (("fan_in * fan_out + fan_out for", "fan_in * fan_out for"),)),
    Mutant("Q16_counts", "counts the running statistics", "Q16_solution", (("+ 2 * 6 + 2 * 16", "+ 4 * 6 + 4 * 16"),)),
    Mutant("Q16_counts", "forgets the convolution biases", "Q16_solution",
           (("(6 * 1 * 3 * 3 + 6) + (16 * 6 * 5 * 5 + 16)", "(6 * 1 * 3 * 3) + (16 * 6 * 5 * 5)"),)),
]

ALTERNATIVES = [
    Alternative("fc_forward with np.dot and len(x)", "Q1_solution",
                ((FC_OUT, "out = np.dot(x.reshape(len(x), -1), w) + b"),)),
    Alternative("fc_backward with einsum", "Q2_solution",
                ((FC_DW, 'dw = np.einsum("nd,nm->dm", x.reshape(len(x), -1), dout)'),
                 (FC_DB, "db = np.ones(dout.shape[0]) @ dout"))),
    Alternative("relu_forward as x times a mask", "Q3_solution", ((RELU_OUT, "out = x * (x > 0)"),)),
    Alternative("relu_backward with np.where", "Q4_solution", ((RELU_DX, "dx = np.where(x > 0, dout, 0.0)"),)),
    Alternative("softmax_loss with a one-hot matrix and logsumexp", "Q5_solution",
                ((LOG_PROBS, "log_probs = x - (x.max(axis=1, keepdims=True) + "
                             "np.log(np.exp(shifted).sum(axis=1, keepdims=True)))"),
                 (ONEHOT, "dx -= np.eye(x.shape[1])[y]"))),
    Alternative("TwoLayerNet with np.random.normal and without the sandwich", "Q6_solution",
                ((TWO_INIT_W1, 'self.params["W1"] = np.random.normal(0.0, weight_scale, (input_dim, hidden_dim))'),
                 ('hidden, hidden_cache = fc_relu_forward(X, self.params["W1"], self.params["b1"])',
                  'pre, fc1_cache = fc_forward(X, self.params["W1"], self.params["b1"])\n'
                  '        hidden, relu_cache = relu_forward(pre)'),
                 ('_, grads["W1"], grads["b1"] = fc_relu_backward(dhidden, hidden_cache)',
                  '_, grads["W1"], grads["b1"] = fc_backward(relu_backward(dhidden, relu_cache), fc1_cache)'))),
    Alternative("two-layer training on a smaller accuracy sample, with prints", "Q7_solution",
                (("num_epochs=10, batch_size=256,", "num_epochs=10, batch_size=256, num_train_samples=500,"),
                 ("    solver.train()\n", '    solver.train()\n    print("best", solver.best_val_acc)\n'))),
    Alternative("FullyConnectedNet that keeps its caches in a dict and prints", "Q8_solution",
                (("        caches = []\n", "        caches = {}\n"),
                 ("            caches.append(cache)\n", "            caches[layer - 1] = cache\n"),
                 ("        return loss, grads", '        print("loss", loss)\n        return loss, grads'))),
    Alternative("sgd_momentum reading the velocity with a default", "Q9_solution",
                (('    velocity = config.get("velocity")\n    if velocity is None:\n        velocity = np.zeros_like(w)\n',
                  '    velocity = config.get("velocity", np.zeros_like(w))\n'),)),
    Alternative("CNN pooling before the ReLU (they commute) with functional pooling", "Q11_solution",
                ((CNN_CONV1, "x = F.relu(F.max_pool2d(self.conv1(x), 2))"),
                 ("x = self.pool(F.relu(self.conv2(x)))", "x = F.relu(F.max_pool2d(self.conv2(x), 2))"),
                 (CNN_FC1, "x = F.relu(self.fc1(torch.flatten(x, 1)))"))),
    Alternative("train_cnn with torch.tensor and a running sum", "Q12_solution",
                (("            losses.append(loss.item())\n", "            losses.append(float(loss))\n"),
                 ("inputs = torch.from_numpy(np.asarray(inputs, dtype=np.float32)).unsqueeze(1)",
                  "inputs = torch.tensor(inputs).unsqueeze(1).float()"))),
    Alternative("filter grid with np.moveaxis", "Q15_solution",
                ((GRID, "grid = visualize_grid(np.moveaxis(weights, 1, -1))"),)),
    Alternative("parameter counts by a loop", "Q16_solution",
                (("    count = sum(fan_in * fan_out + fan_out for fan_in, fan_out in zip(dims[:-1], dims[1:]))\n",
                  "    count = 0\n    for fan_in, fan_out in zip(dims[:-1], dims[1:]):\n"
                  "        count += (fan_in + 1) * fan_out\n"),)),
]
