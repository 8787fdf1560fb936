"""Q4 evaluation: bugs in the master's Q4_solution and a correct variant of it."""
from autograder.check.mutants import Alternative, Mutant

FORWARD = "scores = my_nn(images, param_dict, layers_stats_list, train=False)"

MUTANTS = [
    Mutant("Q4_evaluation", "evaluates with train=True (batch statistics)", "Q4_solution",
           ((FORWARD, "scores = my_nn(images, param_dict, layers_stats_list, train=True)"),)),
    Mutant("Q4_evaluation", "divides by the number of batches", "Q4_solution",
           (("total += len(labels)", "total += 1"),)),
    Mutant("Q4_evaluation", "only the first batch", "Q4_solution",
           (("total += len(labels)", "total += len(labels)\n            break"),)),
    Mutant("Q4_evaluation", "evaluates with the default train argument", "Q4_solution",
           ((FORWARD, "scores = my_nn(images, param_dict, layers_stats_list)"),)),
]

ALTERNATIVES = [
    Alternative("accuracy from len(loader.dataset) and a float32 mean per batch", "Q4_solution",
                (("correct += (scores.argmax(dim=1) == labels).sum().item()",
                  "correct += (scores.argmax(dim=1) == labels).float().mean().item() * len(labels)"),
                 ("accuracy = correct / total", "accuracy = round(correct) / len(loader.dataset)"))),
]
