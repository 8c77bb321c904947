// AVL balancing for BestFitAllocator. Insert and erase are iterative (depth
// <= 1.44 log2 n) and rebalance on the way back up only while a subtree's
// height changes, one or two levels on average: each rebalanced level reads
// the height of the off-path child. The shared allocator is instantiated here.
#include "strategies/avl_allocator.h"

#include <algorithm>

#include "strategies/best_fit_allocator_inl.h"

namespace poolmem {

template <int Tree>
void AvlPolicy::Update(Trees& t, Index n) {
  t.nodes[n].balance.height[Tree] =
      1 + std::max(Height<Tree>(t, t.nodes[n].child[Tree][0]), Height<Tree>(t, t.nodes[n].child[Tree][1]));
}

template <int Tree>
AvlPolicy::Index AvlPolicy::Rotate(Trees& t, Index n, int dir) {
  const Index pivot = t.nodes[n].child[Tree][1 - dir];
  t.nodes[n].child[Tree][1 - dir] = t.nodes[pivot].child[Tree][dir];
  t.nodes[pivot].child[Tree][dir] = n;
  Update<Tree>(t, n);
  Update<Tree>(t, pivot);
  return pivot;
}

template <int Tree>
AvlPolicy::Index AvlPolicy::Rebalance(Trees& t, Index n) {
  Update<Tree>(t, n);
  const Index l = t.nodes[n].child[Tree][0], r = t.nodes[n].child[Tree][1];
  const int32_t diff = Height<Tree>(t, l) - Height<Tree>(t, r);
  if (diff > 1) {
    if (Height<Tree>(t, t.nodes[l].child[Tree][1]) > Height<Tree>(t, t.nodes[l].child[Tree][0])) {
      t.nodes[n].child[Tree][0] = Rotate<Tree>(t, l, 0);
    }
    return Rotate<Tree>(t, n, 1);
  }
  if (diff < -1) {
    if (Height<Tree>(t, t.nodes[r].child[Tree][0]) > Height<Tree>(t, t.nodes[r].child[Tree][1])) {
      t.nodes[n].child[Tree][1] = Rotate<Tree>(t, r, 1);
    }
    return Rotate<Tree>(t, n, 0);
  }
  return n;
}

// path[0..depth) are links (root or child slots) from the top down to the
// change; each subtree is rebalanced until one keeps its height.
template <int Tree>
void AvlPolicy::RebalancePath(Trees& t, Index** path, int depth) {
  while (depth > 0) {
    Index* link = path[--depth];
    const int32_t before = t.nodes[*link].balance.height[Tree];
    *link = Rebalance<Tree>(t, *link);
    if (t.nodes[*link].balance.height[Tree] == before) return;
  }
}

template <int Tree>
void AvlPolicy::Insert(Trees& t, Index n) {
  auto& nodes = t.nodes;
  Index* path[kMaxDepth];
  int depth = 0;
  Index* link = &t.root[Tree];
  while (*link != 0) {
    path[depth++] = link;
    link = &nodes[*link].child[Tree][t.template Less<Tree>(n, *link) ? 0 : 1];
  }
  nodes[n].child[Tree][0] = nodes[n].child[Tree][1] = 0;
  nodes[n].balance.height[Tree] = 1;
  *link = n;
  RebalancePath<Tree>(t, path, depth);
}

template <int Tree>
void AvlPolicy::Erase(Trees& t, Index n) {
  auto& nodes = t.nodes;
  Index* path[kMaxDepth];
  int depth = 0;
  Index* link = &t.root[Tree];
  while (*link != n) {
    POOLMEM_ASSERT_INTERNAL(*link != 0);
    path[depth++] = link;
    link = &nodes[*link].child[Tree][t.template Less<Tree>(n, *link) ? 0 : 1];
  }
  const Index l = nodes[n].child[Tree][0], r = nodes[n].child[Tree][1];
  if (l == 0 || r == 0) {
    *link = l == 0 ? r : l;
    RebalancePath<Tree>(t, path, depth);
    return;
  }
  // Two children: n's successor m (the minimum of its right subtree) leaves
  // its place and takes n's, with n's height.
  const int at_n = depth;
  path[depth++] = link;
  Index* min_link = &nodes[n].child[Tree][1];
  while (nodes[*min_link].child[Tree][0] != 0) {
    path[depth++] = min_link;
    min_link = &nodes[*min_link].child[Tree][0];
  }
  const Index m = *min_link;
  *min_link = nodes[m].child[Tree][1];
  nodes[m].child[Tree][0] = l;
  nodes[m].child[Tree][1] = nodes[n].child[Tree][1];
  nodes[m].balance.height[Tree] = nodes[n].balance.height[Tree];
  *link = m;
  if (depth > at_n + 1) path[at_n + 1] = &nodes[m].child[Tree][1];  // was n's right link
  RebalancePath<Tree>(t, path, depth);
}

template <int Tree>
bool AvlPolicy::NodeBalanced(const Trees& t, Index n, int32_t left_height, int32_t right_height) {
  if (left_height - right_height > 1 || right_height - left_height > 1) return false;
  return t.nodes[n].balance.height[Tree] == 1 + std::max(left_height, right_height);
}

template class BestFitAllocator<AvlPolicy>;

}  // namespace poolmem
