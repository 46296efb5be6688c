x = f"{x!rr}"
