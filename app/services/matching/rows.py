"""Pair scores from attribute codes, for a whole pool, a block of rows, or a list of pairs.

A pair score is a sum of independent parts (level, function, region, tenure, tags,
languages, what one wants to learn and the other offers, history penalty), each a comparison
of two per-person code arrays. ``_score``
writes each part once for any two broadcastable index arrays: ``(r, 1)`` against ``(1, c)``
gives an r x c block, two ``(k,)`` arrays give k pairs. So the dense matrix of a small pool,
the row blocks a large pool is streamed in, and single pairs all share one definition.
``MatchContext.parts`` stays the readable per-pair reference; the tests check they agree.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from app.services.matching.context import MatchContext
from app.services.matching.types import COMPLEMENT_CAP, COMPLEMENTARY_TAG_CAP, SHARED_TAG_CAP

IntMatrix = npt.NDArray[np.int64]
BoolMatrix = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
# Marks, in the shape of the broadcast (left, right), where a listed pair sits.
PairMask = Callable[[IntMatrix], BoolMatrix]


@dataclass(frozen=True, slots=True)
class PoolScores:
    """Scores (thousandths) and the allowed mask of a pool, both in pool order.

    ``scores`` is symmetric and holds every pair's score, blocked or not; ``allowed`` is
    False on the diagonal and wherever a hard constraint forbids the pair.
    """

    pool: list[int]
    scores: IntMatrix
    allowed: BoolMatrix


def _words(members: BoolMatrix) -> npt.NDArray[np.uint64]:
    """Return each person's membership bits packed into 64-bit words (person x word)."""
    size = members.shape[0]
    packed = np.packbits(members, axis=1, bitorder="little")
    words = -(-packed.shape[1] // 8)
    padded = np.zeros((size, words * 8), dtype=np.uint8)
    padded[:, : packed.shape[1]] = packed
    return padded.view(np.uint64)


@dataclass(frozen=True, eq=False, slots=True)
class Packed:
    """The context's membership matrices as bit words, packed once for many blocks."""

    tags: npt.NDArray[np.uint64]
    tag_counts: npt.NDArray[np.int32]
    languages: npt.NDArray[np.uint64]
    speaks: npt.NDArray[np.bool_]
    conflicts: npt.NDArray[np.uint64]
    wants: npt.NDArray[np.uint64]
    offers: npt.NDArray[np.uint64]


def pack(ctx: MatchContext) -> Packed:
    """Return the bit words every block of ``ctx`` is scored from."""
    codes = ctx.arrays
    return Packed(
        tags=_words(codes.tags),
        tag_counts=codes.tags.sum(axis=1, dtype=np.int32),
        languages=_words(codes.languages),
        speaks=np.asarray(codes.languages.any(axis=1), dtype=np.bool_),
        conflicts=_words(codes.conflicts),
        wants=_words(codes.wants),
        offers=_words(codes.offers),
    )


def _shared(words: npt.NDArray[np.uint64], left: IntMatrix, right: IntMatrix) -> IntMatrix:
    """Return how many values each two people share (bit counts on packed words)."""
    return _between(words, words, left, right)


def _between(
    mine: npt.NDArray[np.uint64], theirs: npt.NDArray[np.uint64], left: IntMatrix, right: IntMatrix
) -> IntMatrix:
    """Return how many values ``left`` has in ``mine`` that ``right`` has in ``theirs``."""
    # Bit counts rather than a BLAS product: the BLAS threads spin against each other on a
    # busy machine and made scoring several times slower.
    total: IntMatrix = np.zeros(np.broadcast_shapes(left.shape, right.shape), dtype=np.int32)
    for w in range(mine.shape[1]):
        total += np.bitwise_count(mine[:, w][left] & theirs[:, w][right])
    return total


def _meet(words: npt.NDArray[np.uint64], left: IntMatrix, right: IntMatrix) -> BoolMatrix:
    """Return whether each two people share any value."""
    found: BoolMatrix = np.zeros(np.broadcast_shapes(left.shape, right.shape), dtype=np.bool_)
    for w in range(words.shape[1]):
        column = words[:, w]
        found |= (column[left] & column[right]) != 0
    return found


def _differ(
    codes: IntArray, known: npt.NDArray[np.bool_], left: IntMatrix, right: IntMatrix
) -> BoolMatrix:
    found: BoolMatrix = codes[left] != codes[right]
    # Rosters usually fill the column for everyone: the unknown-value masks are then a no-op.
    if not known.all():
        found &= known[left] & known[right]
    return found


def _dtype(ctx: MatchContext) -> type[np.signedinteger[Any]]:
    """Return int32 when no score can leave its range (half the memory traffic), else int64."""
    lvl, fun, reg, ten, comp, shared_w, lang, penalty, learn = ctx.int_weights
    most = lvl + fun + reg + ten + 2 * COMPLEMENTARY_TAG_CAP * comp
    most += SHARED_TAG_CAP * shared_w + lang + penalty + 2 * COMPLEMENT_CAP * learn
    return np.int32 if most < 2**28 else np.int64


def _score(
    ctx: MatchContext,
    left: IntMatrix,
    right: IntMatrix,
    listed: Callable[[IntArray], BoolMatrix],
    packed: Packed,
) -> tuple[IntMatrix, BoolMatrix]:
    """Return scores and the allowed mask of context positions ``left`` x ``right``.

    ``listed(pairs)`` marks where the (k, 2) listed pairs (either order) fall in the result.
    The diagonal (a person with themself) is the caller's to clear. Each criterion is a
    mask of where it holds, times its weight.
    """
    codes = ctx.arrays
    lvl, fun, reg, ten, comp, shared_w, lang, penalty, learn = ctx.int_weights
    kind = _dtype(ctx)

    def weighted(holds: BoolMatrix, weight: int) -> IntMatrix:
        return np.multiply(holds, kind(weight), dtype=kind)

    rank_l, rank_r = codes.rank[left], codes.rank[right]
    scores = weighted((rank_r >= rank_l - 1) & (rank_r <= rank_l + 1), lvl)
    scores += weighted(_differ(codes.function, codes.function > 0, left, right), fun)
    scores += weighted(_differ(codes.region, codes.region > 0, left, right), reg)
    scores += weighted(_differ(codes.band, codes.band >= 0, left, right), ten)
    if codes.tags.shape[1]:
        shared = _shared(packed.tags, left, right)
        sizes = packed.tag_counts
        own = np.minimum(sizes[left] - shared, COMPLEMENTARY_TAG_CAP)
        own += np.minimum(sizes[right] - shared, COMPLEMENTARY_TAG_CAP)
        scores += np.multiply(own, kind(comp), dtype=kind)
        scores += np.multiply(np.minimum(shared, SHARED_TAG_CAP), kind(shared_w), dtype=kind)
    if codes.wants.shape[1] and learn:
        # Directional: what ``left`` wants that ``right`` offers, and the other way round.
        taught = np.minimum(_between(packed.wants, packed.offers, left, right), COMPLEMENT_CAP)
        taught += np.minimum(_between(packed.wants, packed.offers, right, left), COMPLEMENT_CAP)
        scores += np.multiply(taught, kind(learn), dtype=kind)
    allowed: BoolMatrix = np.ones(scores.shape, dtype=np.bool_)
    if codes.languages.shape[1]:
        common = _meet(packed.languages, left, right)
        scores += weighted(common, lang)
        speaks = packed.speaks
        allowed &= common if speaks.all() else common | ~(speaks[left] & speaks[right])
    if codes.conflicts.shape[1]:
        allowed &= ~_meet(packed.conflicts, left, right)
    if len(codes.blocked):
        allowed &= ~listed(codes.blocked)
    if len(codes.penalised):
        scores -= weighted(listed(codes.penalised), penalty)
    return scores, allowed


def score_block(
    ctx: MatchContext, rows: IntArray, cols: IntArray, packed: Packed | None = None
) -> tuple[IntMatrix, BoolMatrix]:
    """Return the scores and allowed mask of context positions ``rows`` x ``cols``."""
    size = len(ctx.people)
    row_at = np.full(size, -1, dtype=np.int64)
    col_at = np.full(size, -1, dtype=np.int64)
    row_at[rows] = np.arange(len(rows))
    col_at[cols] = np.arange(len(cols))

    def listed(pairs: IntArray) -> BoolMatrix:
        mask = np.zeros((len(rows), len(cols)), dtype=np.bool_)
        for a, b in ((pairs[:, 0], pairs[:, 1]), (pairs[:, 1], pairs[:, 0])):
            r, c = row_at[a], col_at[b]
            inside = (r >= 0) & (c >= 0)
            mask[r[inside], c[inside]] = True
        return mask

    scores, allowed = _score(ctx, rows[:, None], cols[None, :], listed, packed or pack(ctx))
    same = col_at[rows]
    on = np.flatnonzero(same >= 0)
    scores[on, same[on]] = 0
    allowed[on, same[on]] = False
    return scores, allowed


def score_pairs(
    ctx: MatchContext, us: IntArray, vs: IntArray, packed: Packed | None = None
) -> tuple[IntArray, BoolMatrix]:
    """Return the score and whether it is allowed of each pair (us[k], vs[k])."""
    size = len(ctx.people)

    def listed(pairs: IntArray) -> BoolMatrix:
        known = np.sort(
            np.minimum(pairs[:, 0], pairs[:, 1]) * size + np.maximum(pairs[:, 0], pairs[:, 1])
        )
        wanted = np.minimum(us, vs) * size + np.maximum(us, vs)
        at = np.minimum(np.searchsorted(known, wanted), len(known) - 1)
        return np.asarray(known[at] == wanted, dtype=np.bool_)

    scores, allowed = _score(ctx, us, vs, listed, packed or pack(ctx))
    same = us == vs
    scores[same] = 0
    allowed[same] = False
    return scores, allowed


def score_pool(ctx: MatchContext, pool: Sequence[int]) -> PoolScores:
    """Return the score matrix and allowed mask of ``pool`` (context positions, kept in order)."""
    positions = np.asarray(pool, dtype=np.int64)
    scores, allowed = score_block(ctx, positions, positions)
    return PoolScores(
        pool=[int(p) for p in positions], scores=scores.astype(np.int64), allowed=allowed
    )
