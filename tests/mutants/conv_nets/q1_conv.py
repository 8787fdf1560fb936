"""Q1 conv_forward_naive and conv_backward_naive: bugs in the master's cells and correct variants of them."""
from autograder.check.mutants import Alternative, Mutant

F = B = "Q1_solution"
PAD = "x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))"
WINDOW = "window = x_pad[:, :, i * stride:i * stride + HH, j * stride:j * stride + WW]"
OUT = "out[:, :, i, j] = np.tensordot(window, w, axes=([1, 2, 3], [1, 2, 3])) + b"
DW = "dw += np.tensordot(dout[:, :, i, j], padded[:, :, rows, cols], axes=([0], [0]))"
DX = "dpadded[:, :, rows, cols] += np.tensordot(dout[:, :, i, j], w, axes=([1], [0]))"

MUTANTS = [
    Mutant("Q1_conv_forward", "pads the height only", F, ((PAD, "x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (0, 0)))"),)),
    Mutant("Q1_conv_forward", "flips the kernel (a true convolution)", F, ((OUT, OUT.replace("(window, w,", "(window, w[:, :, ::-1, ::-1],")),)),
    Mutant("Q1_conv_forward", "ignores the stride when taking windows", F,
           ((WINDOW, "window = x_pad[:, :, i:i + HH, j:j + WW]"),)),
    Mutant("Q1_conv_forward", "output size without the factor 2 on the padding", F,
           (("H_out = 1 + (H + 2 * pad - HH) // stride", "H_out = 1 + (H + pad - HH) // stride"),
            ("W_out = 1 + (W + 2 * pad - WW) // stride", "W_out = 1 + (W + pad - WW) // stride"))),
    Mutant("Q1_conv_forward", "leaves out the bias", F, ((OUT, OUT.replace(" + b", "")),)),
    Mutant("Q1_conv_forward", "pads with x_pad[:, :, pad:-pad, pad:-pad] = x (fails for pad = 0)", F,
           ((PAD, "x_pad = np.zeros((N, C, H + 2 * pad, W + 2 * pad)); x_pad[:, :, pad:-pad, pad:-pad] = x"),)),
    Mutant("Q1_conv_forward", "calls the course's fast layer (the rule forbids it)", F,
           ((OUT, "out[:, :, i, j] = conv_forward_fast(x, w, b, conv_param)[0][:, :, i, j]"),)),
    Mutant("Q1_conv_backward", "dw averaged over the batch instead of summed", B, ((DW, DW + " / x.shape[0]"),)),
    Mutant("Q1_conv_backward", "db from the first image only", B,
           (("db = dout.sum(axis=(0, 2, 3))", "db = dout.sum(axis=(2, 3))[0]"),)),
    Mutant("Q1_conv_backward", "ignores the stride in the backward", B,
           (("rows = slice(i * stride, i * stride + HH)", "rows = slice(i, i + HH)"),
            ("cols = slice(j * stride, j * stride + WW)", "cols = slice(j, j + WW)"))),
    Mutant("Q1_conv_backward", "strips the padding from the wrong side", B,
           (("dx = dpadded[:, :, pad:pad + H, pad:pad + W]", "dx = dpadded[:, :, :H, :W]"),)),
    Mutant("Q1_conv_backward", "dx from the flipped kernel", B, ((DX, DX.replace(", w,", ", w[:, :, ::-1, ::-1],")),)),
    Mutant("Q1_conv_backward", "strips the padding with pad:-pad (empty when pad = 0)", B,
           (("dx = dpadded[:, :, pad:pad + H, pad:pad + W]", "dx = dpadded[:, :, pad:-pad, pad:-pad]"),)),
    Mutant("Q1_conv_backward", "db of shape (F, 1)", B, (("return dx, dw, db", "return dx, dw, db.reshape(-1, 1)"),),
           once=True),
]

ALTERNATIVES = [
    Alternative("conv forward with einsum and an explicit zero-padded copy", F,
                ((PAD, "x_pad = np.zeros((N, C, H + 2 * pad, W + 2 * pad)); x_pad[:, :, pad:pad + H, pad:pad + W] = x"),
                 (OUT, 'out[:, :, i, j] = np.einsum("nchw,fchw->nf", window, w) + b'))),
    Alternative("conv backward with einsum", B,
                ((DW, 'dw += np.einsum("n f, n c h w -> f c h w", dout[:, :, i, j], padded[:, :, rows, cols])'),
                 (DX, 'dpadded[:, :, rows, cols] += np.einsum("nf,fchw->nchw", dout[:, :, i, j], w)'))),
]
