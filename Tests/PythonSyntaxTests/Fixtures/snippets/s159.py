print(f"{x:{'a'}}")
