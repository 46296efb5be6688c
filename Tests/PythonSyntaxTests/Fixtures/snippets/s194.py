try:
    pass
except A as (e):
    pass
