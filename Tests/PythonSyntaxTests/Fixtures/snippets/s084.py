x = f"{x=!r=}"
