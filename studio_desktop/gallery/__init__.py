"""Qt-free gallery domain: tree nodes and edits, orders, favourites export, originals."""
