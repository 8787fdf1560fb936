"""Q5 the overfitting run: bugs in the master's Q5_solution, and correct variants."""
from autograder.check.mutants import Alternative, Mutant

MODEL = "small_rnn_model = CaptioningRNN(cell_type=\"rnn\", word_to_idx=data[\"word_to_idx\"],"
SIZES = "                                input_dim=data[\"train_features\"].shape[1], hidden_dim=512, wordvec_dim=256)"
SOLVER = "small_rnn_solver = CaptioningSolver(small_rnn_model, small_data, num_epochs=50, batch_size=25, learning_rate=5e-3,"
ITEM = "Q5_overfit"

MUTANTS = [
    Mutant(ITEM, "learning rate 5e-5", "Q5_solution", (("learning_rate=5e-3", "learning_rate=5e-5"),)),
    Mutant(ITEM, "5 epochs instead of 50", "Q5_solution", (("num_epochs=50", "num_epochs=5"),)),
    Mutant(ITEM, "4 hidden units", "Q5_solution", (("hidden_dim=512", "hidden_dim=4"),)),
    Mutant(ITEM, "the solver trains another model than small_rnn_model", "Q5_solution",
           ((SOLVER, SOLVER.replace("CaptioningSolver(small_rnn_model,", "CaptioningSolver(CaptioningRNN(data["
                                    "\"word_to_idx\"], hidden_dim=512, wordvec_dim=256),")),)),
]

ALTERNATIVES = [
    Alternative("positional arguments and the feature width written out", "Q5_solution",
                ((MODEL, "small_rnn_model = CaptioningRNN(data[\"word_to_idx\"], 512, 256, 512, \"rnn\")"),
                 (SIZES, ""))),
    Alternative("quiet, without a progress bar", "Q5_solution",
                (("                                    verbose=True, print_every=10)",
                  "                                    verbose=False, progress=False)"),)),
]
