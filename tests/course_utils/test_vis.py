from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_utils.vis import plot_solver_histories, show_image_grid, visualize_grid


def test_grid_shape_and_tile_placement():
    tiles = np.arange(6 * 3 * 3, dtype=float).reshape(6, 3, 3, 1)
    grid = visualize_grid(tiles, padding=1)
    side = 3
    assert grid.shape == (side * 3 + (side - 1), side * 3 + (side - 1), 1) == (11, 11, 1)
    np.testing.assert_allclose(grid[4:7, 4:7, 0], 255.0 * np.arange(9).reshape(3, 3) / 8)
    assert np.all(grid[3, :, :] == 0) and np.all(grid[:, 3, :] == 0)
    assert np.all(grid[8:, :, :] == 0)
    assert visualize_grid(tiles, padding=0).shape == (9, 9, 1)


def test_each_tile_is_scaled_on_its_own_and_constant_tiles_become_zero():
    rng = np.random.default_rng(0)
    tiles = np.stack([rng.normal(size=(2, 2, 3)), 100 + 5 * rng.normal(size=(2, 2, 3)), np.full((2, 2, 3), 7.0)])
    grid = visualize_grid(tiles, ubound=1.0, padding=2)
    assert grid.shape == (6, 6, 3)
    for top, left in [(0, 0), (0, 4)]:
        tile = grid[top:top + 2, left:left + 2]
        assert tile.min() == 0.0 and tile.max() == pytest.approx(1.0)
    np.testing.assert_array_equal(grid[4:6, 0:2], 0.0)
    assert np.all(np.isfinite(grid))


def test_grid_rejects_channels_first_hint():
    with pytest.raises(ValueError, match=r"transpose\(0, 2, 3, 1\)"):
        visualize_grid(np.zeros((3, 4, 4)))


def test_show_image_grid_uses_grayscale_for_one_channel():
    ax = show_image_grid(visualize_grid(np.random.default_rng(0).normal(size=(4, 5, 5, 1))), title="weights")
    image = ax.get_images()[0]
    assert image.get_array().dtype == np.uint8 and image.get_array().ndim == 2
    assert image.get_cmap().name == "gray" and not ax.axison and ax.get_title() == "weights"
    plt.close("all")


def test_plot_solver_histories_has_three_panels_with_one_line_per_solver():
    runs = {
        "adam": SimpleNamespace(loss_history=[2.0, 1.5, 1.0, 0.8], train_acc_history=[0.4, 0.6],
                                val_acc_history=[0.3, 0.5]),
        "sgd": SimpleNamespace(loss_history=[2.0, 1.9, 1.8, 1.7], train_acc_history=[0.2, 0.3],
                               val_acc_history=[0.2, 0.25]),
    }
    fig = plot_solver_histories(runs, title="update rules")
    assert len(fig.axes) == 3
    assert all(len(ax.lines) == 2 for ax in fig.axes)
    np.testing.assert_array_equal(fig.axes[1].lines[0].get_xdata(), [1, 2])
    np.testing.assert_array_equal(fig.axes[2].lines[1].get_ydata(), [0.2, 0.25])
    assert all(ax.get_ylim()[0] == 0.0 and ax.get_ylim()[1] >= 1.0 for ax in fig.axes[1:])
    assert [text.get_text() for text in fig.axes[0].get_legend().get_texts()] == ["adam", "sgd"]
    plt.close(fig)


def test_plot_solver_histories_rejects_empty_or_incomplete_input():
    with pytest.raises(ValueError):
        plot_solver_histories({})
    with pytest.raises(AttributeError, match="val_acc_history"):
        plot_solver_histories({"run": SimpleNamespace(loss_history=[1.0], train_acc_history=[0.5])})
    plt.close("all")
