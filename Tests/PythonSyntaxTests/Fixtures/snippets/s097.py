x = b"\N{DASH}"
