// Treap balancing for BestFitAllocator: insert splits at the first node the
// new one outranks, erase merges the node's two subtrees in its place. The
// shared allocator is instantiated here.
#include "strategies/treap_allocator.h"

#include "strategies/best_fit_allocator_inl.h"

namespace poolmem {

template <int Tree>
TreapPolicy::Index TreapPolicy::Merge(Trees& t, Index a, Index b) {
  // Every key in a is below every key in b.
  if (a == 0) return b;
  if (b == 0) return a;
  if (t.nodes[a].balance.priority > t.nodes[b].balance.priority) {
    t.nodes[a].child[Tree][1] = Merge<Tree>(t, t.nodes[a].child[Tree][1], b);
    return a;
  }
  t.nodes[b].child[Tree][0] = Merge<Tree>(t, a, t.nodes[b].child[Tree][0]);
  return b;
}

template <int Tree>
void TreapPolicy::Split(Trees& t, Index root, Index key, Index* left, Index* right) {
  // left: keys below key; right: keys at or above it.
  if (root == 0) {
    *left = *right = 0;
    return;
  }
  if (t.template Less<Tree>(root, key)) {
    Split<Tree>(t, t.nodes[root].child[Tree][1], key, &t.nodes[root].child[Tree][1], right);
    *left = root;
  } else {
    Split<Tree>(t, t.nodes[root].child[Tree][0], key, left, &t.nodes[root].child[Tree][0]);
    *right = root;
  }
}

template <int Tree>
void TreapPolicy::Insert(Trees& t, Index n) {
  auto& nodes = t.nodes;
  nodes[n].child[Tree][0] = nodes[n].child[Tree][1] = 0;
  Index* link = &t.root[Tree];
  // Descend while the existing node outranks the new one, then split there.
  while (*link != 0 && nodes[*link].balance.priority >= nodes[n].balance.priority) {
    link = &nodes[*link].child[Tree][t.template Less<Tree>(n, *link) ? 0 : 1];
  }
  Split<Tree>(t, *link, n, &nodes[n].child[Tree][0], &nodes[n].child[Tree][1]);
  *link = n;
}

template <int Tree>
void TreapPolicy::Erase(Trees& t, Index n) {
  Index* link = &t.root[Tree];
  while (*link != n) {
    POOLMEM_ASSERT_INTERNAL(*link != 0);
    link = &t.nodes[*link].child[Tree][t.template Less<Tree>(n, *link) ? 0 : 1];
  }
  *link = Merge<Tree>(t, t.nodes[n].child[Tree][0], t.nodes[n].child[Tree][1]);
}

template <int Tree>
bool TreapPolicy::NodeBalanced(const Trees& t, Index n, int32_t, int32_t) {
  for (int dir = 0; dir < 2; ++dir) {
    const Index c = t.nodes[n].child[Tree][dir];
    if (c != 0 && t.nodes[c].balance.priority > t.nodes[n].balance.priority) return false;
  }
  return true;
}

template class BestFitAllocator<TreapPolicy>;

}  // namespace poolmem
