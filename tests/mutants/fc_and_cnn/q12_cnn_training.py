"""Q12 train_cnn and cnn_accuracy: bugs in the master's Q12_solution and a correct variant of it."""
from autograder.check.mutants import Alternative, Mutant

MUTANTS = [
    Mutant("Q12_training", "never zeroes the gradients", "Q12_solution", (("            optimizer.zero_grad()", ""),)),
    Mutant("Q12_training", "steps the schedule after every batch", "Q12_solution",
           (("        scheduler.step()", "            scheduler.step()"),)),
    Mutant("Q12_training", "the same shuffle every epoch", "Q12_solution", (("seed=seed + epoch", "seed=seed"),)),
    Mutant("Q12_training", "evaluates in training mode", "Q12_solution", (("    model.eval()", ""),)),
]

ALTERNATIVES = [
    Alternative("train_cnn with torch.tensor and a running sum", "Q12_solution",
                (("losses.append(loss.item())", "losses.append(float(loss))"),
                 ("inputs = torch.from_numpy(np.asarray(inputs, dtype=np.float32)).unsqueeze(1)",
                  "inputs = torch.tensor(inputs).unsqueeze(1).float()"))),
]
