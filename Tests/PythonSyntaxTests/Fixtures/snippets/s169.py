rf"{x:\d}"
