f"{'\N{BULLET}'}"
