"""Q4 spatial batch normalization: bugs in the master's cells and correct variants of them."""
from autograder.check.mutants import Alternative, Mutant

F = B = "Q4_solution"

MUTANTS = [
    Mutant("Q4_spatial_batchnorm_forward", "reshapes to (N*H*W, C) without moving the channels last", F,
           (("rows = x.transpose(0, 2, 3, 1).reshape(-1, C)", "rows = x.reshape(-1, C)"),
            ("out = out_rows.reshape(N, H, W, C).transpose(0, 3, 1, 2)", "out = out_rows.reshape(N, C, H, W)"))),
    Mutant("Q4_spatial_batchnorm_forward", "lays the output back out with H and W swapped", F,
           (("out = out_rows.reshape(N, H, W, C).transpose(0, 3, 1, 2)",
             "out = out_rows.reshape(N, W, H, C).transpose(0, 3, 2, 1)"),)),
    Mutant("Q4_spatial_batchnorm_forward", "passes a fresh training-mode bn_param (running statistics lost)", F,
           (("out_rows, cache = batchnorm_forward(rows, gamma, beta, bn_param)",
             'out_rows, cache = batchnorm_forward(rows, gamma, beta, {"mode": "train"})'),)),
    Mutant("Q4_spatial_batchnorm_forward", "statistics per sample (each image normalized on its own)", F,
           (("rows = x.transpose(0, 2, 3, 1).reshape(-1, C)", "rows = x.transpose(2, 3, 0, 1).reshape(-1, N * C)"),
            ("out_rows, cache = batchnorm_forward(rows, gamma, beta, bn_param)",
             "out_rows, cache = batchnorm_forward(rows, np.tile(gamma, N), np.tile(beta, N), bn_param)"),
            ("out = out_rows.reshape(N, H, W, C).transpose(0, 3, 1, 2)",
             "out = out_rows.reshape(H, W, N, C).transpose(2, 3, 0, 1)"))),
    Mutant("Q4_spatial_batchnorm_backward", "reshapes dout without moving the channels last", B,
           (("rows = dout.transpose(0, 2, 3, 1).reshape(-1, C)", "rows = dout.reshape(-1, C)"),)),
    Mutant("Q4_spatial_batchnorm_backward", "lays dx back out with H and W swapped", B,
           (("dx = dx_rows.reshape(N, H, W, C).transpose(0, 3, 1, 2)",
             "dx = dx_rows.reshape(N, W, H, C).transpose(0, 3, 2, 1)"),)),
    Mutant("Q4_spatial_batchnorm_backward", "dgamma and dbeta swapped", B,
           (("dx_rows, dgamma, dbeta = batchnorm_backward(rows, cache)",
             "dx_rows, dbeta, dgamma = batchnorm_backward(rows, cache)"),)),
    Mutant("Q4_spatial_batchnorm_backward", "dgamma and dbeta of shape (1, C)", B,
           (("    return dx, dgamma, dbeta", "    return dx, dgamma.reshape(1, -1), dbeta.reshape(1, -1)"),),
           once=True),
]

ALTERNATIVES = [
    Alternative("spatial batch norm forward with np.moveaxis", F,
                (("rows = x.transpose(0, 2, 3, 1).reshape(-1, C)", "rows = np.moveaxis(x, 1, -1).reshape(-1, C)"),
                 ("out = out_rows.reshape(N, H, W, C).transpose(0, 3, 1, 2)",
                  "out = np.moveaxis(out_rows.reshape(N, H, W, C), -1, 1)"))),
    Alternative("spatial batch norm backward with np.moveaxis", B,
                (("rows = dout.transpose(0, 2, 3, 1).reshape(-1, C)", "rows = np.moveaxis(dout, 1, 3).reshape(-1, C)"),
                 ("dx = dx_rows.reshape(N, H, W, C).transpose(0, 3, 1, 2)",
                  "dx = np.moveaxis(dx_rows.reshape(N, H, W, C), 3, 1)"))),
]
