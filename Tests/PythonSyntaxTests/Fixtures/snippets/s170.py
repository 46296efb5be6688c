f"{x}" rb"a"
