"""Pair scores of a whole pool at once: an n x n integer matrix built from attribute codes.

A pair score is a sum of independent parts (level, function, region, tenure, tags,
languages, what one wants to learn and the other offers, history penalty), each a comparison
of two per-person code arrays, so the whole matrix is a handful of array operations.
``MatchContext.parts`` stays the readable per-pair reference; the tests check the two agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from app.services.matching.context import MatchContext
from app.services.matching.types import COMPLEMENT_CAP, COMPLEMENTARY_TAG_CAP, SHARED_TAG_CAP

IntMatrix = npt.NDArray[np.int64]
BoolMatrix = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class PoolScores:
    """Scores (thousandths) and the allowed mask of a pool, both in pool order.

    ``scores`` is symmetric and holds every pair's score, blocked or not; ``allowed`` is
    False on the diagonal and wherever a hard constraint forbids the pair.
    """

    pool: list[int]
    scores: IntMatrix
    allowed: BoolMatrix


def _differ(codes: IntMatrix, known: npt.NDArray[np.bool_]) -> BoolMatrix:
    both: BoolMatrix = known[:, None] & known[None, :]
    return np.asarray(both & (codes[:, None] != codes[None, :]), dtype=np.bool_)


def _words(members: BoolMatrix) -> npt.NDArray[np.uint64]:
    """Return each row's membership packed into 64-bit words (person x word)."""
    size = members.shape[0]
    packed = np.packbits(members, axis=1, bitorder="little")
    words = -(-packed.shape[1] // 8)
    padded = np.zeros((size, words * 8), dtype=np.uint8)
    padded[:, : packed.shape[1]] = packed
    return padded.view(np.uint64)


def _cross(left: BoolMatrix, right: BoolMatrix) -> IntMatrix:
    """Return how many values row ``i`` of ``left`` shares with row ``j`` of ``right``."""
    # Bit counts on packed 64-bit words rather than a BLAS product: the BLAS threads spin
    # against each other on a busy machine and made scoring several times slower.
    a, b = _words(left), _words(right)
    shared = np.zeros((left.shape[0], right.shape[0]), dtype=np.int64)
    for w in range(a.shape[1] if left.shape[1] else 0):
        shared += np.bitwise_count(a[:, w][:, None] & b[:, w][None, :])
    return shared


def _overlap(members: BoolMatrix) -> IntMatrix:
    """Return how many values each two people share (the diagonal: how many each holds)."""
    return _cross(members, members)


def score_pool(ctx: MatchContext, pool: Sequence[int]) -> PoolScores:
    """Return the score matrix and allowed mask of ``pool`` (context positions, kept in order)."""
    positions = np.asarray(pool, dtype=np.int64)
    size = len(positions)
    codes = ctx.arrays
    lvl, fun, reg, ten, comp, shared_w, lang, penalty, learn = ctx.int_weights
    rank = codes.rank[positions]
    scores: IntMatrix = np.where(np.abs(rank[:, None] - rank[None, :]) <= 1, lvl, 0)
    function = codes.function[positions]
    scores += np.where(_differ(function, function > 0), fun, 0)
    region = codes.region[positions]
    scores += np.where(_differ(region, region > 0), reg, 0)
    band = codes.band[positions]
    scores += np.where(_differ(band, band >= 0), ten, 0)
    tags = codes.tags[positions]
    if tags.shape[1]:
        shared = _overlap(tags)
        sizes = np.diagonal(shared)
        own = np.minimum(sizes[:, None] - shared, COMPLEMENTARY_TAG_CAP)
        scores += comp * (own + own.T) + shared_w * np.minimum(shared, SHARED_TAG_CAP)
    wants, offers = codes.wants[positions], codes.offers[positions]
    if wants.shape[1] and learn:
        taught = np.minimum(_cross(wants, offers), COMPLEMENT_CAP)
        scores += learn * (taught + taught.T)
    allowed: BoolMatrix = np.ones((size, size), dtype=np.bool_)
    np.fill_diagonal(allowed, False)
    languages = codes.languages[positions]
    if languages.shape[1]:
        common = _overlap(languages) > 0
        scores += np.where(common, lang, 0)
        speaks = np.asarray(languages.any(axis=1), dtype=np.bool_)
        allowed &= common | ~(speaks[:, None] & speaks[None, :])
    conflicts = codes.conflicts[positions]
    if conflicts.shape[1]:
        allowed &= _overlap(conflicts) == 0
    local = np.full(len(ctx.people), -1, dtype=np.int64)
    local[positions] = np.arange(size)
    for pairs, blocked in ((codes.blocked, True), (codes.penalised, False)):
        if not len(pairs):
            continue
        a, b = local[pairs[:, 0]], local[pairs[:, 1]]
        inside = (a >= 0) & (b >= 0)
        a, b = a[inside], b[inside]
        if blocked:
            allowed[a, b] = allowed[b, a] = False
        else:
            scores[a, b] -= penalty
            scores[b, a] -= penalty
    np.fill_diagonal(scores, 0)
    return PoolScores(pool=[int(p) for p in positions], scores=scores, allowed=allowed)
