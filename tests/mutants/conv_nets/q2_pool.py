"""Q2 max_pool_forward_naive and max_pool_backward_naive: bugs in the master's cells and correct variants.

Sending a tied window's gradient to every tied maximum is a correct variant here (the notebook accepts it), and
sending it to every entry of the window is a bug.
"""
from autograder.check.mutants import Alternative, Mutant

F = B = "Q2_solution"
SIZES = 'ph, pw, stride = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]'
WINDOW = "window = x[:, :, i * stride:i * stride + ph, j * stride:j * stride + pw]"
ARGMAX = "r, q = np.unravel_index(np.argmax(window), window.shape)"
TO_MAX = "dx[n, c, i * stride + r, j * stride + q] += dout[n, c, i, j]"

MUTANTS = [
    Mutant("Q2_pool_forward", "pool height and width swapped", F,
           ((SIZES, 'ph, pw, stride = pool_param["pool_width"], pool_param["pool_height"], pool_param["stride"]'),)),
    Mutant("Q2_pool_forward", "ignores the stride", F, ((WINDOW, "window = x[:, :, i:i + ph, j:j + pw]"),)),
    Mutant("Q2_pool_forward", "output size without the + 1", F,
           (("H_out = 1 + (H - ph) // stride", "H_out = (H - ph) // stride"),
            ("W_out = 1 + (W - pw) // stride", "W_out = (W - pw) // stride"))),
    Mutant("Q2_pool_forward", "average pooling", F,
           (("out[:, :, i, j] = window.max(axis=(2, 3))", "out[:, :, i, j] = window.mean(axis=(2, 3))"),)),
    Mutant("Q2_pool_forward", "windows from sliding_window_view (the rule forbids it)", F,
           ((WINDOW, "window = np.lib.stride_tricks.sliding_window_view(x, (ph, pw), axis=(2, 3))[:, :, i * stride, "
                     "j * stride]"),)),
    Mutant("Q2_pool_backward", "gradient sent to every entry of the window", B,
           ((TO_MAX, "dx[n, c, i * stride:i * stride + ph, j * stride:j * stride + pw] += dout[n, c, i, j]"),)),
    Mutant("Q2_pool_backward", "overlapping windows overwrite instead of add", B, ((TO_MAX, TO_MAX.replace("+=", "=")),)),
    Mutant("Q2_pool_backward", "ignores the stride when writing back", B,
           ((TO_MAX, "dx[n, c, i + r, j + q] += dout[n, c, i, j]"),)),
    Mutant("Q2_pool_backward", "unravels the argmax with the window's height", B,
           ((ARGMAX, "r, q = divmod(np.argmax(window), ph)"),)),
    Mutant("Q2_pool_backward", "dx flattened to (N, C * H * W)", B,
           (("    return dx", "    return dx.reshape(len(dx), -1)"),), once=True),
]

ALTERNATIVES = [
    Alternative("pool forward with np.max over the reshaped window", F,
                (("out[:, :, i, j] = window.max(axis=(2, 3))",
                  "out[:, :, i, j] = np.max(window.reshape(N, C, -1), axis=2)"),)),
    Alternative("pool backward to every tied maximum (a mask), as the notebook allows", B,
                ((ARGMAX, "mask = window == window.max()"),
                 (TO_MAX, "dx[n, c, i * stride:i * stride + ph, j * stride:j * stride + pw] += mask * dout[n, c, i, j]"))),
]
