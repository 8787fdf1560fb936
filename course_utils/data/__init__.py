"""Data sets of the image assignments, one module per data set; every name is importable from here.

- ``common``: ``datasets_dir()`` (``<course root>/datasets``, or ``$COURSE_DATASETS``), ``COURSE_ROOT``,
  ``shown_folder``, ``iterate_minibatches`` and the helpers the generators share.
- ``cifar10``: the real pickled batches (``get_CIFAR10_data``, ``load_cifar10``, ``load_cifar_batch``,
  ``read_cifar10_images``), the stand-in ``synthetic_cifar10`` and ``load_cifar10_or_stand_in``.
- ``digits``: scikit-learn's 8x8 digits, ``load_digits_data``.
- ``gaze``: the instructor's files (``load_gaze``), the stand-in ``synthetic_gaze`` and ``load_gaze_or_stand_in``.
- ``mnist``: the idx files (``read_idx``, ``load_mnist``, ``mnist_present``), the stand-in ``digits_as_mnist``
  and ``load_mnist_or_digits``.
- ``coco``: COCO 2014 captioning in the CS231n format (``load_coco_data``, ``coco_present``,
  ``sample_coco_minibatch``, ``decode_captions``, ``image_from_url``).
- ``captions``: the built-in captioning set of two coloured shapes (``synthetic_captions``, ``render_scene``,
  ``scene_attributes``), ``load_coco_or_stand_in`` and the word accuracy of sampled captions
  (``caption_word_accuracy``, ``references_by_image``).

The image loaders return dicts with ``X_train``, ``y_train``, ``X_val``, ``y_val``, ``X_test`` and ``y_test``
(labels int64; MNIST has no validation split), the captioning loaders the ten keys of ``load_coco_data``. When a
real data set is absent, the ``*_or_stand_in`` loaders fall back to a deterministic generator that runs offline
in about a second and print one line saying which they used; ``datasets/get_datasets`` downloads the public sets.
"""
from course_utils.data.captions import (CAPTION_LENGTH, CAPTION_WORDS, COLOUR_RGB, COLOURS, RARE_WORDS,
                                        SCENE_ATTRIBUTES, SHAPES, SPECIAL_TOKENS, caption_word_accuracy,
                                        load_coco_or_stand_in, references_by_image, render_scene, scene_attributes,
                                        synthetic_captions)
from course_utils.data.cifar10 import (CIFAR10_CLASSES, CIFAR10_FOLDER, SYNTHETIC_CIFAR10_CLASSES, get_CIFAR10_data,
                                       load_cifar10, load_cifar10_or_stand_in, load_cifar_batch, read_cifar10_images,
                                       synthetic_cifar10)
from course_utils.data.coco import (COCO_CAPTIONS_FILE, COCO_FEATURES_FILES, COCO_FOLDER, COCO_KEYS, COCO_URLS_FILES,
                                    COCO_VOCAB_FILE, coco_present, decode_captions, image_from_url, load_coco_data,
                                    sample_coco_minibatch)
from course_utils.data.common import COURSE_ROOT, datasets_dir, iterate_minibatches, shown_folder
from course_utils.data.digits import load_digits_data
from course_utils.data.gaze import (GAZE_FOLDER, GAZE_LAYOUT, GAZE_QUADRANTS, GAZE_SHAPE, GAZE_SPLITS, load_gaze,
                                    load_gaze_or_stand_in, synthetic_gaze)
from course_utils.data.mnist import (MNIST_FILES, MNIST_FOLDER, MNIST_SIDE, digits_as_mnist, load_mnist,
                                     load_mnist_or_digits, mnist_present, read_idx)

__all__ = [
    "CAPTION_LENGTH", "CAPTION_WORDS", "CIFAR10_CLASSES", "CIFAR10_FOLDER", "COCO_CAPTIONS_FILE",
    "COCO_FEATURES_FILES", "COCO_FOLDER", "COCO_KEYS", "COCO_URLS_FILES", "COCO_VOCAB_FILE", "COLOURS", "COLOUR_RGB",
    "COURSE_ROOT", "GAZE_FOLDER", "GAZE_LAYOUT", "GAZE_QUADRANTS", "GAZE_SHAPE", "GAZE_SPLITS", "MNIST_FILES",
    "MNIST_FOLDER", "MNIST_SIDE", "RARE_WORDS", "SCENE_ATTRIBUTES", "SHAPES", "SPECIAL_TOKENS",
    "SYNTHETIC_CIFAR10_CLASSES", "caption_word_accuracy", "coco_present", "datasets_dir", "decode_captions",
    "digits_as_mnist", "get_CIFAR10_data", "image_from_url", "iterate_minibatches", "load_cifar10",
    "load_cifar10_or_stand_in", "load_cifar_batch", "load_coco_data", "load_coco_or_stand_in", "load_digits_data",
    "load_gaze", "load_gaze_or_stand_in", "load_mnist", "load_mnist_or_digits", "mnist_present",
    "read_cifar10_images", "read_idx", "references_by_image", "render_scene", "sample_coco_minibatch",
    "scene_attributes", "shown_folder", "synthetic_captions", "synthetic_cifar10", "synthetic_gaze",
]
