"""Parameters as one array or a list of arrays (a network's weights), numpy only.

Every optimizer maps its update over the leaves of such a "tree", so the same rule
updates a 2-vector in a lesson and the weight matrices of a network in lesson 12.
A leaf is a numpy array, a number or a sympy expression.
"""
from __future__ import annotations

import numpy as np

from ._checks import is_numeric

__all__ = ["tree_map", "leaves", "zeros_like", "apply_updates"]


def _is_node(x) -> bool:
    return isinstance(x, (list, tuple))


def tree_map(f, *trees):
    """Apply f leaf by leaf to trees of the same structure; returns a tree like trees[0].

    >>> tree_map(lambda a, b: a + b, [1, 2], [10, 20])
    [11, 22]
    """
    first = trees[0]
    if _is_node(first):
        for i, other in enumerate(trees[1:], start=1):
            if not _is_node(other) or len(other) != len(first):
                n = len(other) if _is_node(other) else "not a list"
                raise ValueError(f"argument {i} must be a list of {len(first)} arrays like the "
                                 f"parameters, got {n}")
        return [tree_map(f, *xs) for xs in zip(*trees)]
    return f(*trees)


def leaves(tree) -> list:
    """The leaves of a tree, in order."""
    if _is_node(tree):
        return [leaf for sub in tree for leaf in leaves(sub)]
    return [tree]


def zeros_like(tree):
    """Zeros shaped like each leaf (float arrays for numbers, the integer 0 for sympy)."""
    return tree_map(lambda p: np.zeros(np.shape(p)) if is_numeric(p) else 0, tree)


def apply_updates(params, steps):
    """W_t = W_{t-1} + step, leaf by leaf (steps already carry their minus sign)."""
    return tree_map(lambda w, s: w + s, params, steps)
