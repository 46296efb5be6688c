f"plain"
f"{x}"
f"{x!r} {y!s:>10} {z!a}"
f"{x=}"
f"{x = }"
f"{x=!s:^{width}}"
f"{x:{y}.{z}f}"
f"{'nested' + f'{inner}'}"
f"{f"{f"{x}"}"}"
f"{x:=10}"
f"{{literal}} {{{x}}}"
f"{a['k']} {a["k"]}"
f"""multi
{x
 + y}
line"""
f"{x # comment
}"
rf"\d{x}\n"
fr'{x}\{y}'
F"{x}" "plain" f"{y}" 'z'
f"{x:}" f"{x!r:}"
f"{'\n'.join(a)}"
x = f"{(lambda: 1)}"
f"{*a,}"
f"{yield}" if False else 0
f"\N{BULLET} {x} \N{greek small letter alpha}"
f"{x:{'>' if a else '<'}10}"
f"{3.14:.{p}}"
f"{x:a{{b}}c}"
f"{ x = !r:>{w}}"
