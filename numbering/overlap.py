"""Overlap between two schemes, decided exactly on shape by intersecting two automata."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

from numbering.pattern import Shape


@dataclass
class _Automaton:
    """A small NFA: character-class edges and empty moves, one start and one final state."""

    edges: list[list[tuple[frozenset[str], int]]] = field(default_factory=list)
    empty: list[list[int]] = field(default_factory=list)

    def state(self) -> int:
        self.edges.append([])
        self.empty.append([])
        return len(self.edges) - 1

    def closure(self, states: frozenset[int] | set[int]) -> frozenset[int]:
        seen = set(states)
        todo = list(states)
        while todo:
            for nxt in self.empty[todo.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return frozenset(seen)


def _build(shapes: Sequence[Shape]) -> tuple[_Automaton, int, int]:
    nfa = _Automaton()
    start = cur = nfa.state()
    for shape in shapes:
        end = nfa.state()
        if shape.values is not None:
            trie: dict[tuple[int, str], int] = {}
            for value in shape.values:
                node = cur
                for ch in value:
                    nxt = trie.get((node, ch))
                    if nxt is None:
                        nxt = trie[(node, ch)] = nfa.state()
                        nfa.edges[node].append((frozenset(ch), nxt))
                    node = nxt
                nfa.empty[node].append(end)
        else:
            node = cur
            for _ in range(shape.min_len):
                nxt = nfa.state()
                nfa.edges[node].append((shape.chars, nxt))
                node = nxt
            if shape.max_len is None:
                nfa.edges[node].append((shape.chars, node))
            else:
                for _ in range(shape.max_len - shape.min_len):
                    nfa.empty[node].append(end)
                    nxt = nfa.state()
                    nfa.edges[node].append((shape.chars, nxt))
                    node = nxt
            nfa.empty[node].append(end)
        cur = end
    return nfa, start, cur


def common_value(a: Sequence[Shape], b: Sequence[Shape]) -> str | None:
    """The shortest string both token sequences can print, or None when there is none."""
    na, sa, fa = _build(a)
    nb, sb, fb = _build(b)
    first = (na.closure({sa}), nb.closure({sb}))
    parents: dict[tuple[frozenset[int], frozenset[int]],
                  tuple[tuple[frozenset[int], frozenset[int]], str] | None] = {first: None}
    queue = deque([first])
    while queue:
        pair = queue.popleft()
        left, right = pair
        if fa in left and fb in right:
            out: list[str] = []
            node: tuple[frozenset[int], frozenset[int]] | None = pair
            while node is not None and parents[node] is not None:
                prev, ch = parents[node]  # type: ignore[misc]
                out.append(ch)
                node = prev
            return "".join(reversed(out))
        moves: dict[str, tuple[set[int], set[int]]] = {}
        for s in left:
            for chars_a, ta in na.edges[s]:
                for t in right:
                    for chars_b, tb in nb.edges[t]:
                        for ch in chars_a & chars_b:
                            entry = moves.setdefault(ch, (set(), set()))
                            entry[0].add(ta)
                            entry[1].add(tb)
        for ch in sorted(moves):
            nxt = (na.closure(moves[ch][0]), nb.closure(moves[ch][1]))
            if nxt not in parents:
                parents[nxt] = (pair, ch)
                queue.append(nxt)
    return None
