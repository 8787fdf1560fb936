"""Q5 train_model: bugs in the train_model function of the master's Q5_solution and a correct variant of it;
the last three are caught by tests that train a network (about 3 s per variant)."""
from autograder.check.mutants import Alternative, Mutant

TRAIN_RNG = "rng = np.random.default_rng(seed)"
TRAIN_RETURN = ("    return accuracy_from_logits(model.forward(Xtr_t), ytr_t), "
                "accuracy_from_logits(model.forward(Xva_t), yva_t)")

MUTANTS = [
    Mutant("Q5_training", "accuracies measured without model.eval()", "Q5_solution",
           (("        model.eval()", ""), ("    model.eval()", ""))),
    Mutant("Q5_training", "returns the last minibatch's training accuracy", "Q5_solution",
           ((TRAIN_RETURN, "    return accuracies[-1], val_acc"),)),
    Mutant("Q5_training", "never calls step", "Q5_solution",
           (("            model.step(lr)", ""),)),
    Mutant("Q5_training", "ignores epochs (a hard-coded count left from debugging)", "Q5_solution",
           (("for epoch in range(1, epochs + 1):", "for epoch in range(1, 200 + 1):"),)),
    Mutant("Q5_training", "a fresh generator every epoch, so the same order each epoch", "Q5_solution",
           (("    " + TRAIN_RNG, ""), ("model.train()", "model.train()\n        " + TRAIN_RNG))),
    Mutant("Q5_training", "one epoch too few", "Q5_solution",
           (("for epoch in range(1, epochs + 1):", "for epoch in range(1, epochs):"),)),
    Mutant("Q5_training", "ignores lr", "Q5_solution",
           (("model.step(lr)", "model.step(0.1)"),)),
    Mutant("Q5_training", "ignores batch_size", "Q5_solution",
           (("range(0, len(order), batch_size)", "range(0, len(order), 64)"),
            ("order[start:start + batch_size]", "order[start:start + 64]"))),
]

ALTERNATIVES = [
    Alternative("train_model shuffling one index array in place, dropping the last partial batch, with its own "
                "accuracy code and a training-mode switch per batch",
                "Q5_solution",
                (("    for epoch in range(1, epochs + 1):",
                  "    n = Xtr_t.shape[0]\n"
                  "    index = np.arange(n)\n"
                  "\n"
                  "    def acc(logits, labels):\n"
                  "        return float((logits.argmax(dim=1) == labels).double().mean())\n"
                  "\n"
                  "    for epoch in range(epochs):"),
                 ("        model.train()", "        rng.shuffle(index)"),
                 ("order = torch.from_numpy(rng.permutation(len(Xtr_t)))", "loss_sum, acc_sum, batches = 0.0, 0.0, 0"),
                 ("        losses, accuracies = [], []", ""),
                 ("for start in range(0, len(order), batch_size):",
                  "for start in range(0, n - batch_size + 1, batch_size):\n            model.train()"),
                 ("batch = order[start:start + batch_size]", "rows = torch.as_tensor(index[start:start + batch_size])"),
                 ("xb, yb = Xtr_t[batch], ytr_t[batch]",
                  "logits = model.forward(Xtr_t[rows])\n            loss = loss_fn.forward(logits, ytr_t[rows])"),
                 ("            logits = model.forward(xb)", ""),
                 ("            loss = loss_fn.forward(logits, yb)", ""),
                 ("losses.append(float(loss))", "loss_sum += loss.item()"),
                 ("accuracies.append(accuracy_from_logits(logits, yb))",
                  "acc_sum += acc(logits, ytr_t[rows])\n            batches += 1"),
                 ("val_acc = accuracy_from_logits(model.forward(Xva_t), yva_t)",
                  "val_acc = acc(model.forward(Xva_t), yva_t)"),
                 ('            history.setdefault("loss", []).append(float(np.mean(losses)))',
                  '            for key, value in (("loss", loss_sum / batches), ("train_acc", acc_sum / batches),'),
                 ('            history.setdefault("train_acc", []).append(float(np.mean(accuracies)))',
                  '                               ("val_acc", val_acc)):'),
                 ('            history.setdefault("val_acc", []).append(val_acc)',
                  "                history.setdefault(key, []).append(value)"),
                 ("if print_every and (epoch == 1 or epoch % print_every == 0):",
                  "if print_every > 0 and (epoch == 0 or (epoch + 1) % print_every == 0):"),
                 ('print(f"epoch {epoch:5d} | train loss {np.mean(losses):.4f} | train acc {np.mean(accuracies):.3f}"',
                  "print(epoch + 1, loss_sum / batches, val_acc)"),
                 ('                  f" | val acc {val_acc:.3f}")', ""),
                 (TRAIN_RETURN, "    return acc(model.forward(Xtr_t), ytr_t), acc(model.forward(Xva_t), yva_t)"))),
]
