"""Q6 and Q7 comparison cells: bugs in the master's Q6_experiment_code and Q7_experiment_code and correct
variants of them; every test here trains networks (about 1 s per variant, 4 s for the 400-epoch mutants)."""
from autograder.check.mutants import Alternative, Mutant

Q6_IN = 'model_in, history_in, (in_train_acc, in_val_acc) = runs["InstanceNorm"]'
Q6_BN = 'model_bn, history_bn, (bn_train_acc, bn_val_acc) = runs["BatchNorm"]'
Q7_NODROP = 'model_nodrop, history_nodrop, (nodrop_train_acc, nodrop_val_acc) = runs["no dropout"]'
Q7_DROP = 'model_drop, history_drop, (drop_train_acc, drop_val_acc) = runs["dropout 0.2"]'
ARGS = " " * 39  # the indentation of train_model's arguments in the Q6 alternative

MUTANTS = [
    Mutant("Q6_experiment", "trains two instance-norm MLPs", "Q6_experiment_code",
           (('("BatchNorm", MLP_BN)', '("BatchNorm", MLP)'),)),
    Mutant("Q6_experiment", "quick mode's 400 epochs written out instead of COMPARE_EPOCHS", "Q6_experiment_code",
           (("epochs=COMPARE_EPOCHS,", "epochs=400,"),)),
    Mutant("Q6_experiment", "accuracies swapped between the two models", "Q6_experiment_code",
           ((Q6_IN, 'model_in, history_in, (bn_train_acc, bn_val_acc) = runs["InstanceNorm"]'),
            (Q6_BN, 'model_bn, history_bn, (in_train_acc, in_val_acc) = runs["BatchNorm"]'))),
    Mutant("Q6_experiment", "the batch-norm model trained without dropout", "Q6_experiment_code",
           (("p_drop=0.2)", "p_drop=0.2 if model_class is MLP else 0.0)"),)),
    Mutant("Q6_experiment", "histories swapped between the two models", "Q6_experiment_code",
           ((Q6_IN, 'model_in, history_bn, (in_train_acc, in_val_acc) = runs["InstanceNorm"]'),
            (Q6_BN, 'model_bn, history_in, (bn_train_acc, bn_val_acc) = runs["BatchNorm"]'))),
    Mutant("Q6_experiment", "training and validation accuracies swapped", "Q6_experiment_code",
           ((Q6_IN, 'model_in, history_in, (in_val_acc, in_train_acc) = runs["InstanceNorm"]'),
            (Q6_BN, 'model_bn, history_bn, (bn_val_acc, bn_train_acc) = runs["BatchNorm"]'))),
    Mutant("Q6_experiment", "one history dict shared by both runs", "Q6_experiment_code",
           (("runs = {}", "runs = {}\nhist = {}"), ("    hist = {}", ""))),
    Mutant("Q7_experiment", "both models with dropout", "Q7_experiment_code",
           (('("no dropout", 0.0)', '("no dropout", 0.2)'),)),
    Mutant("Q7_experiment", "p_drop swapped between the two runs", "Q7_experiment_code",
           (('[("no dropout", 0.0), ("dropout 0.2", 0.2)]', '[("no dropout", 0.2), ("dropout 0.2", 0.0)]'),)),
    Mutant("Q7_experiment", "quick mode's 400 epochs written out instead of COMPARE_EPOCHS", "Q7_experiment_code",
           (("epochs=COMPARE_EPOCHS,", "epochs=400,"),)),
    Mutant("Q7_experiment", "accuracies swapped between the two models", "Q7_experiment_code",
           ((Q7_NODROP, 'model_nodrop, history_nodrop, (drop_train_acc, drop_val_acc) = runs["no dropout"]'),
            (Q7_DROP, 'model_drop, history_drop, (nodrop_train_acc, nodrop_val_acc) = runs["dropout 0.2"]'))),
    Mutant("Q7_experiment", "batch-norm models instead of instance norm", "Q7_experiment_code",
           (("    net = MLP(", "    net = MLP_BN("),)),
    Mutant("Q7_experiment", "dropout rate 0.5 instead of 0.2", "Q7_experiment_code",
           (('("dropout 0.2", 0.2)]', '("dropout 0.2", 0.5)]'),)),
    Mutant("Q7_experiment", "histories swapped between the two models", "Q7_experiment_code",
           ((Q7_NODROP, 'model_nodrop, history_drop, (nodrop_train_acc, nodrop_val_acc) = runs["no dropout"]'),
            (Q7_DROP, 'model_drop, history_nodrop, (drop_train_acc, drop_val_acc) = runs["dropout 0.2"]'))),
]

ALTERNATIVES = [
    Alternative("Q6 comparison written out as two blocks", "Q6_experiment_code",
                (("runs = {}", "torch.manual_seed(0)"),
                 ('for name, model_class in [("InstanceNorm", MLP), ("BatchNorm", MLP_BN)]:',
                  "model_in = MLP(2, 64, 2, p_drop=0.2)"),
                 ("    torch.manual_seed(0)", "history_in = {}"),
                 ("    net = model_class(in_dim=2, hidden_dim=64, out_dim=2, p_drop=0.2)",
                  "in_train_acc, in_val_acc = train_model(model_in, SoftmaxCrossEntropy(), "
                  "Xtr_t, ytr_t, Xva_t, yva_t,"),
                 ("    hist = {}", ARGS + "lr=0.1, epochs=COMPARE_EPOCHS, batch_size=64, seed=0,"),
                 ('    print(f"--- {name}")', ARGS + "print_every=0, history=history_in)"),
                 ("    accs = train_model(net, SoftmaxCrossEntropy(), Xtr_t, ytr_t, Xva_t, yva_t, lr=0.1, "
                  "epochs=COMPARE_EPOCHS,", "torch.manual_seed(0)"),
                 ("                       batch_size=64, seed=0, print_every=COMPARE_EPOCHS // 5, history=hist)",
                  "model_bn = MLP_BN(2, 64, 2, p_drop=0.2)"),
                 ("    runs[name] = (net, hist, accs)", "history_bn = {}"),
                 (Q6_IN,
                  "bn_train_acc, bn_val_acc = train_model(model_bn, SoftmaxCrossEntropy(), "
                  "Xtr_t, ytr_t, Xva_t, yva_t,"),
                 (Q6_BN,
                  ARGS + "lr=0.1, epochs=COMPARE_EPOCHS, batch_size=64, seed=0,\n"
                  + ARGS + "print_every=100, history=history_bn)"))),
    Alternative("Q7 comparison with a helper function and the dropout run first", "Q7_experiment_code",
                (("runs = {}", ""),
                 ('for name, p_drop in [("no dropout", 0.0), ("dropout 0.2", 0.2)]:', "def run(p):"),
                 ("p_drop=p_drop)", "p_drop=p)"),
                 ('    print(f"--- {name}")',
                  "    train_acc, val_acc = train_model(net, SoftmaxCrossEntropy(), "
                  "Xtr_t, ytr_t, Xva_t, yva_t, lr=0.1,"),
                 ("    accs = train_model(net, SoftmaxCrossEntropy(), Xtr_t, ytr_t, Xva_t, yva_t, lr=0.1, "
                  "epochs=COMPARE_EPOCHS,",
                  "                                     epochs=COMPARE_EPOCHS, batch_size=64, seed=0, print_every=0,"),
                 ("                       batch_size=64, seed=0, print_every=COMPARE_EPOCHS // 5, history=hist)",
                  "                                     history=hist)"),
                 ("    runs[name] = (net, hist, accs)", "    return net, hist, train_acc, val_acc"),
                 (Q7_NODROP, ""),
                 (Q7_DROP,
                  "model_drop, history_drop, drop_train_acc, drop_val_acc = run(0.2)\n"
                  "model_nodrop, history_nodrop, nodrop_train_acc, nodrop_val_acc = run(0.0)"))),
]
