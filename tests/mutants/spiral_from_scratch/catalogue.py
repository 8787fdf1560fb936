"""Realistic bugs and correct variants of the spiral master's answer cells (see autograder/check/mutants.py).

Every mutant is a mistake students really make, written as a small edit of the master's answer cell; it
must lose points on its item and nowhere outside its question. Every alternative is a correct solution
written differently (another formula, float64 inside, a loop, a numpy mask, prints, a warning, another
program structure); it must keep every point.
"""
from autograder.check.mutants import Alternative, Mutant

# ----------------------------------------------------------------------------- text of the master cells

IN_RETURN = ("        return inv_std * (dz_hat - dz_hat.mean(dim=1, keepdim=True)\n"
             "                          - z_hat * (dz_hat * z_hat).mean(dim=1, keepdim=True))")
IN_INV_STD = "inv_std = 1.0 / torch.sqrt((centred * centred).mean(dim=1, keepdim=True) + self.eps)"

DROP_MASK = "self._scaled_mask = (torch.rand_like(z) < keep).to(z.dtype) / keep"
DROP_BACKWARD = "        if self._scaled_mask is None:\n            return da\n        return da * self._scaled_mask"

CE_LOG_PROBS = "log_probs = shifted - torch.log(torch.exp(shifted).sum(dim=1, keepdim=True))"
CE_LOSS = "return -log_probs[torch.arange(z.shape[0]), y].mean()"

MLP_INIT = '''        self.layers = []
        width = in_dim
        for _ in range(2):
            self.layers += [
                Linear(width, hidden_dim, device=device, dtype=dtype),
                self.norm_layer(hidden_dim, device=device, dtype=dtype),
                Tanh(),
                Dropout(p_drop),
            ]
            width = hidden_dim
        self.layers.append(Linear(hidden_dim, out_dim, device=device, dtype=dtype))
        ### END SOLUTION
'''
MLP_STEP_NORM = '''            elif hasattr(layer, "gamma"):
                layer.gamma -= lr * layer.dgamma
                layer.beta -= lr * layer.dbeta
'''
MLP_ZERO_GRAD_NORM = '''            elif hasattr(layer, "dgamma"):
                layer.dgamma = torch.zeros_like(layer.gamma)
                layer.dbeta = torch.zeros_like(layer.beta)
'''
TRAIN_LOOP = '''    rng = np.random.default_rng(seed)
    for epoch in range(1, epochs + 1):
        model.train()
        order = torch.from_numpy(rng.permutation(len(Xtr_t)))
'''
TRAIN_RETURN = ("    return accuracy_from_logits(model.forward(Xtr_t), ytr_t), "
                "accuracy_from_logits(model.forward(Xva_t), yva_t)")
TRAIN_BODY = '''    rng = np.random.default_rng(seed)
    for epoch in range(1, epochs + 1):
        model.train()
        order = torch.from_numpy(rng.permutation(len(Xtr_t)))
        losses, accuracies = [], []
        for start in range(0, len(order), batch_size):
            batch = order[start:start + batch_size]
            xb, yb = Xtr_t[batch], ytr_t[batch]
            model.zero_grad()
            logits = model.forward(xb)
            loss = loss_fn.forward(logits, yb)
            model.backward(loss_fn.backward())
            model.step(lr)
            losses.append(float(loss))
            accuracies.append(accuracy_from_logits(logits, yb))
        model.eval()
        val_acc = accuracy_from_logits(model.forward(Xva_t), yva_t)
        if history is not None:
            history.setdefault("loss", []).append(float(np.mean(losses)))
            history.setdefault("train_acc", []).append(float(np.mean(accuracies)))
            history.setdefault("val_acc", []).append(val_acc)
        if print_every and (epoch == 1 or epoch % print_every == 0):
            print(f"epoch {epoch:5d} | train loss {np.mean(losses):.4f} | train acc {np.mean(accuracies):.3f}"
                  f" | val acc {val_acc:.3f}")
    model.eval()
''' + TRAIN_RETURN + "\n"

BN_RUNNING_MEAN = "self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * mean"
BN_RUNNING_VAR = "self.running_var = self.momentum * self.running_var + (1 - self.momentum) * var"
BN_RETURN = "return inv_std * (dx_hat - dx_hat.mean(dim=0) - x_hat * (dx_hat * x_hat).mean(dim=0))"

Q6_RUNS = '''runs = {}
for name, model_class in [("InstanceNorm", MLP), ("BatchNorm", MLP_BN)]:
    torch.manual_seed(0)
    net = model_class(in_dim=2, hidden_dim=64, out_dim=2, p_drop=0.2)
    hist = {}
    print(f"--- {name}")
    accs = train_model(net, SoftmaxCrossEntropy(), Xtr_t, ytr_t, Xva_t, yva_t, lr=0.1, epochs=COMPARE_EPOCHS,
                       batch_size=64, seed=0, print_every=COMPARE_EPOCHS // 5, history=hist)
    runs[name] = (net, hist, accs)
model_in, history_in, (in_train_acc, in_val_acc) = runs["InstanceNorm"]
model_bn, history_bn, (bn_train_acc, bn_val_acc) = runs["BatchNorm"]
'''
Q7_RUNS = '''runs = {}
for name, p_drop in [("no dropout", 0.0), ("dropout 0.2", 0.2)]:
    torch.manual_seed(0)
    net = MLP(in_dim=2, hidden_dim=64, out_dim=2, p_drop=p_drop)
    hist = {}
    print(f"--- {name}")
    accs = train_model(net, SoftmaxCrossEntropy(), Xtr_t, ytr_t, Xva_t, yva_t, lr=0.1, epochs=COMPARE_EPOCHS,
                       batch_size=64, seed=0, print_every=COMPARE_EPOCHS // 5, history=hist)
    runs[name] = (net, hist, accs)
model_nodrop, history_nodrop, (nodrop_train_acc, nodrop_val_acc) = runs["no dropout"]
model_drop, history_drop, (drop_train_acc, drop_val_acc) = runs["dropout 0.2"]
'''
Q6_UNPACK = ('model_in, history_in, (in_train_acc, in_val_acc) = runs["InstanceNorm"]\n'
             'model_bn, history_bn, (bn_train_acc, bn_val_acc) = runs["BatchNorm"]')
Q7_UNPACK = ('model_nodrop, history_nodrop, (nodrop_train_acc, nodrop_val_acc) = runs["no dropout"]\n'
             'model_drop, history_drop, (drop_train_acc, drop_val_acc) = runs["dropout 0.2"]')

MUTANTS = [
    # ------------------------------------------------------------------------- Q1 InstanceNorm1D
    Mutant("Q1_forward", "unbiased variance", "Q1_solution",
           (("(centred * centred).mean(dim=1, keepdim=True)",
             "(centred * centred).sum(dim=1, keepdim=True) / (z.shape[1] - 1)"),)),
    Mutant("Q1_forward", "statistics over the batch axis", "Q1_solution",
           (("centred = z - z.mean(dim=1, keepdim=True)", "centred = z - z.mean(dim=0, keepdim=True)"),
            ("(centred * centred).mean(dim=1, keepdim=True)", "(centred * centred).mean(dim=0, keepdim=True)"))),
    Mutant("Q1_forward", "eps added outside the square root", "Q1_solution",
           ((IN_INV_STD,
             "inv_std = 1.0 / (torch.sqrt((centred * centred).mean(dim=1, keepdim=True)) + self.eps)"),)),
    Mutant("Q1_forward", "gamma and beta swapped in the affine step", "Q1_solution",
           (("return self.gamma * z_hat + self.beta", "return self.beta * z_hat + self.gamma"),)),
    Mutant("Q1_forward", "computes in float64 and forgets to cast back", "Q1_solution",
           (("centred = z - z.mean(dim=1, keepdim=True)",
             "z = z.double()\n        centred = z - z.mean(dim=1, keepdim=True)"),
            ("return self.gamma * z_hat + self.beta", "return self.gamma.double() * z_hat + self.beta.double()"))),
    Mutant("Q1_forward", "eps hard-coded as 1e-5 instead of self.eps", "Q1_solution",
           ((IN_INV_STD, IN_INV_STD.replace("self.eps", "1e-5")),)),
    Mutant("Q1_backward", "missing the -z_hat * mean(g * z_hat) term", "Q1_solution",
           (("\n                          - z_hat * (dz_hat * z_hat).mean(dim=1, keepdim=True))", ")"),)),
    Mutant("Q1_backward", "dgamma and dbeta swapped", "Q1_solution",
           (("        self.dbeta = da.sum(dim=0)\n        self.dgamma = (da * z_hat).sum(dim=0)\n",
             "        self.dgamma = da.sum(dim=0)\n        self.dbeta = (da * z_hat).sum(dim=0)\n"),)),
    Mutant("Q1_backward", "upstream gradient not multiplied by gamma", "Q1_solution",
           (("dz_hat = da * self.gamma", "dz_hat = da"),)),
    Mutant("Q1_backward", "backward means taken over the batch axis", "Q1_solution",
           ((IN_RETURN,
             "        return inv_std * (dz_hat - dz_hat.mean(dim=0, keepdim=True)\n"
             "                          - z_hat * (dz_hat * z_hat).mean(dim=0, keepdim=True))"),)),
    Mutant("Q1_backward", "parameter gradients averaged instead of summed over the batch", "Q1_solution",
           (("        self.dbeta = da.sum(dim=0)\n        self.dgamma = (da * z_hat).sum(dim=0)\n",
             "        self.dbeta = da.mean(dim=0)\n        self.dgamma = (da * z_hat).mean(dim=0)\n"),)),

    # ------------------------------------------------------------------------- Q2 Dropout
    Mutant("Q2_forward", "survivors scaled by 1/p instead of 1/(1-p)", "Q2_solution",
           ((DROP_MASK, "self._scaled_mask = (torch.rand_like(z) < keep).to(z.dtype) / self.p"),)),
    Mutant("Q2_forward", "p used as the keep probability", "Q2_solution",
           ((DROP_MASK, "self._scaled_mask = (torch.rand_like(z) < self.p).to(z.dtype) / keep"),)),
    Mutant("Q2_forward", "dropout still active in evaluation mode", "Q2_solution",
           (("if not self.training or self.p == 0.0:", "if self.p == 0.0:"),)),
    Mutant("Q2_forward", "survivors not rescaled", "Q2_solution",
           ((DROP_MASK, "self._scaled_mask = (torch.rand_like(z) < keep).to(z.dtype)"),)),
    Mutant("Q2_forward", "train() does not switch dropout back on", "Q2_solution",
           (("    def train(self):\n        ### BEGIN SOLUTION\n        self.training = True",
             "    def train(self):\n        ### BEGIN SOLUTION\n        pass"),)),
    Mutant("Q2_forward", "the same mask in every forward (a generator seeded inside forward)", "Q2_solution",
           ((DROP_MASK, "generator = torch.Generator().manual_seed(0)\n        self._scaled_mask = (torch.rand("
                        "z.shape, generator=generator, dtype=z.dtype) < keep).to(z.dtype) / keep"),)),
    Mutant("Q2_forward", "p outside [0, 1) accepted silently", "Q2_solution",
           (('        if not 0.0 <= p < 1.0:\n'
             '            raise ValueError(f"the drop probability p must lie in [0, 1), got {p}")\n', ""),)),
    Mutant("Q2_backward", "a new mask drawn in backward", "Q2_solution",
           (("        return da * self._scaled_mask",
             "        return da * (torch.rand_like(da) < 1.0 - self.p).to(da.dtype) / (1.0 - self.p)"),)),
    Mutant("Q2_backward", "backward applies the mask but not the 1/(1-p) scale", "Q2_solution",
           (("        return da * self._scaled_mask", "        return da * (self._scaled_mask != 0).to(da.dtype)"),)),
    Mutant("Q2_backward", "an eval-mode forward keeps the last training mask for backward", "Q2_solution",
           (("            self._scaled_mask = None\n            return z", "            return z"),)),
    Mutant("Q2_backward", "backward forgets the mask altogether", "Q2_solution",
           ((DROP_BACKWARD, "        return da"),)),

    # ------------------------------------------------------------------------- Q3 SoftmaxCrossEntropy
    Mutant("Q3_forward", "no max-shift before exponentiating", "Q3_solution",
           (("shifted = z - z.max(dim=1, keepdim=True).values", "shifted = z"),)),
    Mutant("Q3_forward", "loss summed instead of averaged over the batch", "Q3_solution",
           ((CE_LOSS, "return -log_probs[torch.arange(z.shape[0]), y].sum()"),)),
    Mutant("Q3_forward", "log-probabilities indexed with [:, y]", "Q3_solution",
           ((CE_LOSS, "return -log_probs[:, y].mean()"),)),
    Mutant("Q3_forward", "max subtracted over the batch axis", "Q3_solution",
           (("shifted = z - z.max(dim=1, keepdim=True).values", "shifted = z - z.max(dim=0, keepdim=True).values"),)),
    Mutant("Q3_forward", "max-shifted softmax, then the log of it (log 0 for tiny probabilities)", "Q3_solution",
           ((CE_LOG_PROBS,
             "log_probs = torch.log(torch.exp(shifted) / torch.exp(shifted).sum(dim=1, keepdim=True))"),)),
    Mutant("Q3_backward", "missing 1/B in the gradient", "Q3_solution",
           (("return dz / len(y)", "return dz"),)),
    Mutant("Q3_backward", "one-hot target not subtracted", "Q3_solution",
           (("        dz[torch.arange(len(y)), y] -= 1.0\n", ""),)),
    Mutant("Q3_backward", "one-hot subtracted with dz[:, y]", "Q3_solution",
           (("dz[torch.arange(len(y)), y] -= 1.0", "dz[:, y] -= 1.0"),)),
    Mutant("Q3_backward", "backward recomputes an unshifted softmax from the cached logits", "Q3_solution",
           (("self._cache = (torch.exp(log_probs), y)", "self._cache = (z, y)"),
            ("        probs, y = self._cache\n",
             "        z, y = self._cache\n        probs = torch.exp(z) / torch.exp(z).sum(dim=1, keepdim=True)\n"))),
    Mutant("Q3_backward", "gradient divided by the number of classes", "Q3_solution",
           (("return dz / len(y)", "return dz / probs.shape[1]"),)),

    # ------------------------------------------------------------------------- Q4 Tanh
    Mutant("Q4_forward", "tanh from exponentials, overflows for large inputs", "Q4_solution",
           (("self._out = torch.tanh(z)",
             "self._out = (torch.exp(z) - torch.exp(-z)) / (torch.exp(z) + torch.exp(-z))"),)),
    Mutant("Q4_forward", "sigmoid instead of tanh", "Q4_solution",
           (("self._out = torch.tanh(z)", "self._out = torch.sigmoid(z)"),)),
    Mutant("Q4_forward", "float32 input returned as float64", "Q4_solution",
           (("self._out = torch.tanh(z)", "self._out = torch.tanh(z.double())"),)),
    Mutant("Q4_backward", "backward uses z instead of the output", "Q4_solution",
           (("self._out = torch.tanh(z)", "self._z = z\n        self._out = torch.tanh(z)"),
            ("return da * (1.0 - self._out * self._out)", "return da * (1.0 - self._z * self._z)"))),
    Mutant("Q4_backward", "derivative without the square", "Q4_solution",
           (("return da * (1.0 - self._out * self._out)", "return da * (1.0 - self._out)"),)),
    Mutant("Q4_backward", "sigmoid's derivative a(1-a)", "Q4_solution",
           (("return da * (1.0 - self._out * self._out)", "return da * self._out * (1.0 - self._out)"),)),
    Mutant("Q4_backward", "cache starts as a zero tensor, so backward before forward returns da", "Q4_solution",
           (("        self._out = None\n", "        self._out = torch.zeros(())\n"),
            ('        if self._out is None:\n            raise RuntimeError("call forward before backward")\n', ""))),

    # ------------------------------------------------------------------------- Q5 MLP
    Mutant("Q5_mlp", "only one hidden block", "Q5_solution",
           (("for _ in range(2):", "for _ in range(1):"),)),
    Mutant("Q5_mlp", "Tanh missing from the hidden blocks", "Q5_solution",
           (("                Tanh(),\n", ""),)),
    Mutant("Q5_mlp", "step forgets the gamma and beta updates", "Q5_solution",
           ((MLP_STEP_NORM, ""),)),
    Mutant("Q5_mlp", "train() does nothing, relying on new layers starting in training mode", "Q5_solution",
           (('        for layer in self.layers:\n'
             '            if hasattr(layer, "train"):\n'
             '                layer.train()',
             "        pass"),)),
    Mutant("Q5_mlp", "backward walks the layers in forward order", "Q5_solution",
           (("for layer in reversed(self.layers):", "for layer in self.layers:"),)),
    Mutant("Q5_mlp", "normalization hard-coded as InstanceNorm1D instead of self.norm_layer", "Q5_solution",
           (("self.norm_layer(hidden_dim, device=device, dtype=dtype)",
             "InstanceNorm1D(hidden_dim, device=device, dtype=dtype)"),)),

    # ------------------------------------------------------------------------- Q5 train_model
    Mutant("Q5_training", "accuracies measured without model.eval()", "Q5_solution",
           (("        model.eval()\n        val_acc", "        val_acc"),
            ("    model.eval()\n    return", "    return"))),
    Mutant("Q5_training", "returns the last minibatch's training accuracy", "Q5_solution",
           ((TRAIN_RETURN, "    return accuracies[-1], val_acc"),)),
    Mutant("Q5_training", "never calls step", "Q5_solution",
           (("            model.step(lr)\n", ""),)),
    Mutant("Q5_training", "ignores epochs (a hard-coded count left from debugging)", "Q5_solution",
           (("for epoch in range(1, epochs + 1):", "for epoch in range(1, 200 + 1):"),)),
    Mutant("Q5_training", "a fresh generator every epoch, so the same order each epoch", "Q5_solution",
           ((TRAIN_LOOP, TRAIN_LOOP.replace("    rng = np.random.default_rng(seed)\n", "").replace(
               "        model.train()\n", "        model.train()\n        rng = np.random.default_rng(seed)\n")),)),

    # ------------------------------------------------------------------------- Q6 BatchNorm1D
    Mutant("Q6_batchnorm", "unbiased batch variance", "Q6_solution",
           (("var = ((x - mean) ** 2).mean(dim=0)", "var = x.var(dim=0)"),)),
    Mutant("Q6_batchnorm", "running statistics with momentum the wrong way round", "Q6_solution",
           ((BN_RUNNING_MEAN, "self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mean"),
            (BN_RUNNING_VAR, "self.running_var = (1 - self.momentum) * self.running_var + self.momentum * var"))),
    Mutant("Q6_batchnorm", "evaluation mode uses the batch statistics", "Q6_solution",
           (("        if self.training:\n", "        if True:\n"),)),
    Mutant("Q6_batchnorm", "momentum hard-coded as 0.9 instead of self.momentum", "Q6_solution",
           ((BN_RUNNING_MEAN, BN_RUNNING_MEAN.replace("self.momentum", "0.9")),
            (BN_RUNNING_VAR, BN_RUNNING_VAR.replace("self.momentum", "0.9")))),
    Mutant("Q6_batchnorm", "MLP_BN still uses InstanceNorm1D", "Q6_solution",
           (("    norm_layer = BatchNorm1D", "    pass"),)),
    Mutant("Q6_batchnorm", "running variance updated with the unbiased variance", "Q6_solution",
           ((BN_RUNNING_VAR,
             "self.running_var = self.momentum * self.running_var + (1 - self.momentum) * x.var(dim=0)"),)),
    Mutant("Q6_batchnorm", "dgamma and dbeta swapped", "Q6_solution",
           (("        self.dbeta = da.sum(dim=0)\n        self.dgamma = (da * x_hat).sum(dim=0)\n",
             "        self.dgamma = da.sum(dim=0)\n        self.dbeta = (da * x_hat).sum(dim=0)\n"),)),
    Mutant("Q6_batchnorm", "backward missing the -x_hat * mean(g * x_hat) term", "Q6_solution",
           ((BN_RETURN, "return inv_std * (dx_hat - dx_hat.mean(dim=0))"),)),
    Mutant("Q6_batchnorm", "eps added outside the square root", "Q6_solution",
           (("inv_std = 1.0 / torch.sqrt(var + self.eps)", "inv_std = 1.0 / (torch.sqrt(var) + self.eps)"),)),
    Mutant("Q6_batchnorm", "running statistics also updated in evaluation mode", "Q6_solution",
           (("        if self.training:\n"
             "            mean = x.mean(dim=0)\n"
             "            var = ((x - mean) ** 2).mean(dim=0)\n"
             "            " + BN_RUNNING_MEAN + "\n"
             "            " + BN_RUNNING_VAR + "\n"
             "        else:\n"
             "            mean, var = self.running_mean, self.running_var\n",
             "        mean = x.mean(dim=0)\n"
             "        var = ((x - mean) ** 2).mean(dim=0)\n"
             "        " + BN_RUNNING_MEAN + "\n"
             "        " + BN_RUNNING_VAR + "\n"
             "        if not self.training:\n"
             "            mean, var = self.running_mean, self.running_var\n"),)),

    # ------------------------------------------------------------------------- Q6 experiment
    Mutant("Q6_experiment", "trains two instance-norm MLPs", "Q6_experiment_code",
           (('("BatchNorm", MLP_BN)', '("BatchNorm", MLP)'),)),
    Mutant("Q6_experiment", "wrong number of epochs", "Q6_experiment_code",
           (("epochs=COMPARE_EPOCHS,", "epochs=200,"),)),
    Mutant("Q6_experiment", "accuracies swapped between the two models", "Q6_experiment_code",
           ((Q6_UNPACK, 'model_in, history_in, (bn_train_acc, bn_val_acc) = runs["InstanceNorm"]\n'
                        'model_bn, history_bn, (in_train_acc, in_val_acc) = runs["BatchNorm"]'),)),
    Mutant("Q6_experiment", "the batch-norm model trained without dropout", "Q6_experiment_code",
           (("p_drop=0.2)", "p_drop=0.2 if model_class is MLP else 0.0)"),)),
    Mutant("Q6_experiment", "histories swapped between the two models", "Q6_experiment_code",
           ((Q6_UNPACK, 'model_in, history_bn, (in_train_acc, in_val_acc) = runs["InstanceNorm"]\n'
                        'model_bn, history_in, (bn_train_acc, bn_val_acc) = runs["BatchNorm"]'),)),

    # ------------------------------------------------------------------------- Q7 experiment
    Mutant("Q7_experiment", "both models with dropout", "Q7_experiment_code",
           (('("no dropout", 0.0)', '("no dropout", 0.2)'),)),
    Mutant("Q7_experiment", "p_drop swapped between the two runs", "Q7_experiment_code",
           (('[("no dropout", 0.0), ("dropout 0.2", 0.2)]', '[("no dropout", 0.2), ("dropout 0.2", 0.0)]'),)),
    Mutant("Q7_experiment", "wrong number of epochs", "Q7_experiment_code",
           (("epochs=COMPARE_EPOCHS,", "epochs=200,"),)),
    Mutant("Q7_experiment", "accuracies swapped between the two models", "Q7_experiment_code",
           ((Q7_UNPACK, 'model_nodrop, history_nodrop, (drop_train_acc, drop_val_acc) = runs["no dropout"]\n'
                        'model_drop, history_drop, (nodrop_train_acc, nodrop_val_acc) = runs["dropout 0.2"]'),)),
]

ALTERNATIVES = [
    Alternative("extra prints in forward", "Q1_solution",
                (("        centred = z - z.mean(dim=1, keepdim=True)\n",
                  "        print('normalizing', tuple(z.shape))\n        centred = z - z.mean(dim=1, keepdim=True)\n"),)),
    Alternative("instance norm computed in float64 and cast back", "Q1_solution",
                (("        centred = z - z.mean(dim=1, keepdim=True)\n",
                  "        z64 = z.to(torch.float64)\n        centred = z64 - z64.mean(dim=1, keepdim=True)\n"),
                 ("        return self.gamma * z_hat + self.beta\n",
                  "        return (self.gamma.to(torch.float64) * z_hat + self.beta.to(torch.float64)).to(z.dtype)\n"),
                 ("        z_hat, inv_std = self._cache\n",
                  "        z_hat, inv_std = self._cache\n"
                  "        out_dtype = da.dtype\n"
                  "        da = da.to(torch.float64)\n"),
                 ("        self.dbeta = da.sum(dim=0)\n        self.dgamma = (da * z_hat).sum(dim=0)\n",
                  "        self.dbeta = da.sum(dim=0).to(self.beta.dtype)\n"
                  "        self.dgamma = (da * z_hat).sum(dim=0).to(self.gamma.dtype)\n"),
                 ("dz_hat = da * self.gamma", "dz_hat = da * self.gamma.to(torch.float64)"),
                 (IN_RETURN, IN_RETURN.replace("return inv_std", "return (inv_std") + ").to(out_dtype)"))),
    Alternative("instance norm backward as the long chain rule through mean and variance", "Q1_solution",
                ((IN_RETURN,
                  "        D = z_hat.shape[1]\n"
                  "        centred = z_hat / inv_std\n"
                  "        dvar = (dz_hat * centred).sum(dim=1, keepdim=True) * -0.5 * inv_std ** 3\n"
                  "        dmean = (-(dz_hat * inv_std).sum(dim=1, keepdim=True)\n"
                  "                 - 2.0 * dvar * centred.mean(dim=1, keepdim=True))\n"
                  "        return dz_hat * inv_std + dvar * 2.0 * centred / D + dmean / D"),)),
    Alternative("instance norm forward with a loop over the rows", "Q1_solution",
                (("        centred = z - z.mean(dim=1, keepdim=True)\n"
                  "        " + IN_INV_STD + "\n",
                  "        centred = torch.empty_like(z)\n"
                  "        inv_std = torch.empty(z.shape[0], 1, dtype=z.dtype, device=z.device)\n"
                  "        for b in range(z.shape[0]):\n"
                  "            row = z[b]\n"
                  "            mu = row.sum() / row.numel()\n"
                  "            centred[b] = row - mu\n"
                  "            inv_std[b, 0] = 1.0 / torch.sqrt(((row - mu) ** 2).sum() / row.numel() + self.eps)\n"),)),
    Alternative("dropout mask drawn with numpy", "Q2_solution",
                ((DROP_MASK,
                  "mask = np.random.rand(*z.shape) < keep\n"
                  "        self._scaled_mask = torch.from_numpy(mask).to(device=z.device, dtype=z.dtype) / keep"),)),
    Alternative("dropout mask from torch.bernoulli, and a warning for p = 0", "Q2_solution",
                (("        self.p = float(p)\n",
                  "        if p == 0:\n"
                  "            import warnings\n"
                  "            warnings.warn('Dropout(p=0) never drops anything')\n"
                  "        self.p = float(p)\n"),
                 (DROP_MASK, "self._scaled_mask = torch.bernoulli(torch.full_like(z, keep)) / keep"))),
    Alternative("log-sum-exp via torch.logsumexp", "Q3_solution",
                ((CE_LOG_PROBS, "log_probs = z - torch.logsumexp(z, dim=1, keepdim=True)"),)),
    Alternative("cross-entropy with loops over the rows", "Q3_solution",
                ((CE_LOSS,
                  "total = 0.0\n"
                  "        for b in range(z.shape[0]):\n"
                  "            total = total - log_probs[b, y[b]]\n"
                  "        return total / z.shape[0]"),
                 ("        dz[torch.arange(len(y)), y] -= 1.0\n",
                  "        for b in range(len(y)):\n            dz[b, y[b]] = dz[b, y[b]] - 1.0\n"))),
    Alternative("tanh as 1 - 2 / (exp(2z) + 1)", "Q4_solution",
                (("self._out = torch.tanh(z)", "self._out = 1.0 - 2.0 / (torch.exp(2.0 * z) + 1.0)"),)),
    Alternative("tanh caches its input and recomputes tanh in backward", "Q4_solution",
                (("        self._out = torch.tanh(z)\n        return self._out\n",
                  "        self._z = z\n        self._out = torch.tanh(z)\n        return torch.tanh(z)\n"),
                 ("return da * (1.0 - self._out * self._out)", "return da * (1.0 - torch.tanh(self._z) ** 2)"))),
    Alternative("MLP with named layer attributes and a layers property", "Q5_solution",
                ((MLP_INIT,
                  "        self.fc1 = Linear(in_dim, hidden_dim, device=device, dtype=dtype)\n"
                  "        self.norm1 = self.norm_layer(hidden_dim, device=device, dtype=dtype)\n"
                  "        self.act1, self.drop1 = Tanh(), Dropout(p_drop)\n"
                  "        self.fc2 = Linear(hidden_dim, hidden_dim, device=device, dtype=dtype)\n"
                  "        self.norm2 = self.norm_layer(hidden_dim, device=device, dtype=dtype)\n"
                  "        self.act2, self.drop2 = Tanh(), Dropout(p_drop)\n"
                  "        self.head = Linear(hidden_dim, out_dim, device=device, dtype=dtype)\n"
                  "        ### END SOLUTION\n\n"
                  "    @property\n"
                  "    def layers(self):\n"
                  "        return [self.fc1, self.norm1, self.act1, self.drop1,\n"
                  "                self.fc2, self.norm2, self.act2, self.drop2, self.head]\n"),)),
    Alternative("train_model shuffling one index array in place, dropping the last partial batch, with its own "
                "accuracy code and a training-mode switch per batch",
                "Q5_solution",
                ((TRAIN_BODY,
                  "    rng = np.random.default_rng(seed)\n"
                  "    n = Xtr_t.shape[0]\n"
                  "    index = np.arange(n)\n"
                  "\n"
                  "    def acc(logits, labels):\n"
                  "        return float((logits.argmax(dim=1) == labels).double().mean())\n"
                  "\n"
                  "    for epoch in range(epochs):\n"
                  "        rng.shuffle(index)\n"
                  "        loss_sum, acc_sum, batches = 0.0, 0.0, 0\n"
                  "        for start in range(0, n - batch_size + 1, batch_size):\n"
                  "            model.train()\n"
                  "            rows = torch.as_tensor(index[start:start + batch_size])\n"
                  "            logits = model.forward(Xtr_t[rows])\n"
                  "            loss = loss_fn.forward(logits, ytr_t[rows])\n"
                  "            model.zero_grad()\n"
                  "            model.backward(loss_fn.backward())\n"
                  "            model.step(lr)\n"
                  "            loss_sum += loss.item()\n"
                  "            acc_sum += acc(logits, ytr_t[rows])\n"
                  "            batches += 1\n"
                  "        model.eval()\n"
                  "        val_acc = acc(model.forward(Xva_t), yva_t)\n"
                  "        if history is not None:\n"
                  "            for key, value in ((\"loss\", loss_sum / batches), (\"train_acc\", acc_sum / batches),\n"
                  "                               (\"val_acc\", val_acc)):\n"
                  "                history.setdefault(key, []).append(value)\n"
                  "        if print_every > 0 and (epoch == 0 or (epoch + 1) % print_every == 0):\n"
                  "            print(epoch + 1, loss_sum / batches, val_acc)\n"
                  "    model.eval()\n"
                  "    return acc(model.forward(Xtr_t), ytr_t), acc(model.forward(Xva_t), yva_t)\n"),)),
    Alternative("batch norm backward as the long chain rule, variance via x.var(unbiased=False)", "Q6_solution",
                (("var = ((x - mean) ** 2).mean(dim=0)", "var = x.var(dim=0, unbiased=False)"),
                 ("        self._cache = (x_hat, inv_std)\n        return self.gamma * x_hat + self.beta\n",
                  "        self._cache = (x_hat, inv_std, x - mean)\n        return self.gamma * x_hat + self.beta\n"),
                 ("        x_hat, inv_std = self._cache\n",
                  "        x_hat, inv_std, centred = self._cache\n        B = da.shape[0]\n"),
                 ("        " + BN_RETURN,
                  "        dvar = (dx_hat * centred).sum(dim=0) * -0.5 * inv_std ** 3\n"
                  "        dmean = -(dx_hat * inv_std).sum(dim=0) - 2.0 * dvar * centred.mean(dim=0)\n"
                  "        return dx_hat * inv_std + dvar * 2.0 * centred / B + dmean / B"))),
    Alternative("Q6 comparison written out as two blocks", "Q6_experiment_code",
                ((Q6_RUNS,
                  "torch.manual_seed(0)\n"
                  "model_in = MLP(2, 64, 2, p_drop=0.2)\n"
                  "history_in = {}\n"
                  "in_train_acc, in_val_acc = train_model(model_in, SoftmaxCrossEntropy(), Xtr_t, ytr_t, Xva_t, yva_t,\n"
                  "                                       lr=0.1, epochs=COMPARE_EPOCHS, batch_size=64, seed=0,\n"
                  "                                       print_every=0, history=history_in)\n"
                  "torch.manual_seed(0)\n"
                  "model_bn = MLP_BN(2, 64, 2, p_drop=0.2)\n"
                  "history_bn = {}\n"
                  "bn_train_acc, bn_val_acc = train_model(model_bn, SoftmaxCrossEntropy(), Xtr_t, ytr_t, Xva_t, yva_t,\n"
                  "                                       lr=0.1, epochs=COMPARE_EPOCHS, batch_size=64, seed=0,\n"
                  "                                       print_every=100, history=history_bn)\n"),)),
    Alternative("Q7 comparison with a helper function and the dropout run first", "Q7_experiment_code",
                ((Q7_RUNS,
                  "def run(p):\n"
                  "    torch.manual_seed(0)\n"
                  "    net = MLP(in_dim=2, hidden_dim=64, out_dim=2, p_drop=p)\n"
                  "    hist = {}\n"
                  "    train_acc, val_acc = train_model(net, SoftmaxCrossEntropy(), Xtr_t, ytr_t, Xva_t, yva_t, lr=0.1,\n"
                  "                                     epochs=COMPARE_EPOCHS, batch_size=64, seed=0, print_every=0,\n"
                  "                                     history=hist)\n"
                  "    return net, hist, train_acc, val_acc\n"
                  "\n"
                  "model_drop, history_drop, drop_train_acc, drop_val_acc = run(0.2)\n"
                  "model_nodrop, history_nodrop, nodrop_train_acc, nodrop_val_acc = run(0.0)\n"),)),
]

# Bugs in the cells whose tests train networks (about 3 s per variant).
MUTANTS += [
    Mutant("Q5_mlp", "eval() does not reach the dropout layers", "Q5_solution",
           (('        for layer in self.layers:\n            if hasattr(layer, "eval"):\n                layer.eval()',
             "        self.training = False"),)),
    Mutant("Q5_mlp", "zero_grad leaves the normalization gradients", "Q5_solution",
           ((MLP_ZERO_GRAD_NORM, ""),)),
    Mutant("Q5_mlp", "backward does not return the input gradient", "Q5_solution",
           (("            grad = layer.backward(grad)\n        return grad\n",
             "            grad = layer.backward(grad)\n"),)),
    Mutant("Q5_training", "one epoch too few", "Q5_solution",
           (("for epoch in range(1, epochs + 1):", "for epoch in range(1, epochs):"),)),
    Mutant("Q5_training", "ignores lr", "Q5_solution",
           (("            model.step(lr)\n", "            model.step(0.1)\n"),)),
    Mutant("Q5_training", "ignores batch_size", "Q5_solution",
           (("        for start in range(0, len(order), batch_size):\n"
             "            batch = order[start:start + batch_size]",
             "        for start in range(0, len(order), 64):\n            batch = order[start:start + 64]"),)),
    Mutant("Q6_experiment", "training and validation accuracies swapped", "Q6_experiment_code",
           ((Q6_UNPACK, 'model_in, history_in, (in_val_acc, in_train_acc) = runs["InstanceNorm"]\n'
                        'model_bn, history_bn, (bn_val_acc, bn_train_acc) = runs["BatchNorm"]'),)),
    Mutant("Q7_experiment", "batch-norm models instead of instance norm", "Q7_experiment_code",
           (("    net = MLP(", "    net = MLP_BN("),)),
    Mutant("Q7_experiment", "dropout rate 0.5 instead of 0.2", "Q7_experiment_code",
           (('("dropout 0.2", 0.2)]', '("dropout 0.2", 0.5)]'),)),
    Mutant("Q7_experiment", "histories swapped between the two models", "Q7_experiment_code",
           ((Q7_UNPACK, 'model_nodrop, history_drop, (nodrop_train_acc, nodrop_val_acc) = runs["no dropout"]\n'
                        'model_drop, history_nodrop, (drop_train_acc, drop_val_acc) = runs["dropout 0.2"]'),)),
    Mutant("Q6_experiment", "one history dict shared by both runs", "Q6_experiment_code",
           (("runs = {}\n", "runs = {}\nhist = {}\n"), ("    hist = {}\n", ""))),
]
