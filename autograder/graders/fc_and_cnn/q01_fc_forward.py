"""Q1: fc_forward on inputs of any number of dimensions, and the cache it returns."""
from __future__ import annotations

import numpy as np

from autograder.graders.fc_and_cnn.common import FC_CASES
from autograder.kit import Kit, graded, matches_reference, normal
from autograder.sandbox import Session


def fc_forward_values(s: Session) -> dict:
    """the output matches the reference on hidden shapes, including 4-D and 5-D inputs."""
    out = {}
    for seed, n, shape, m in FC_CASES:
        d = int(np.prod(shape))
        result = s.call("fc_forward", normal(seed, n, *shape), normal(seed + 1, d, m), normal(seed + 2, m))
        out[f"fc_forward output for x of shape {(n, *shape)}"] = result[0]
    return out


test_Q1_forward_matches_reference = matches_reference("Q1_fc_forward", 2, fc_forward_values, rtol=1e-10)


@graded("Q1_fc_forward", 1)
def test_Q1_forward_returns_out_and_cache(kit: Kit) -> None:
    """returns (out, cache) with cache = (x, w, b) unchanged."""
    x, w, b = normal(1201, 3, 2, 4), normal(1202, 8, 5), normal(1203, 5)
    result = kit.session.call("fc_forward", x, w, b)
    kit.expect(isinstance(result, tuple) and len(result) == 2, "fc_forward should return (out, cache)")
    out = kit.array(result[0], (3, 5), "out")
    # the cache is given code: it is judged only for a forward that does the layer's work, one that uses w
    doubled = kit.session.call("fc_forward", x, 2 * w, b)
    kit.expect(isinstance(doubled, tuple) and len(doubled) == 2, "fc_forward should return (out, cache)")
    kit.expect(float(np.max(np.abs(kit.array(doubled[0], (3, 5), "out") - out))) > 1e-6,
               "fc_forward's output does not depend on w: it should compute x @ w + b")
    cache = result[1]
    kit.expect(isinstance(cache, tuple) and len(cache) == 3, "the cache should be (x, w, b)")
    for index, (name, sent) in enumerate(zip("xwb", (x, w, b))):
        got = cache[index]
        kit.expect(np.array_equal(kit.array(got, sent.shape, "an entry of the cache"), sent),
                   "the cache's {name} differs from the {name} passed in", name=name)
