# expect: SEC010 (asyncio.open_connection)
import asyncio


async def f():
    await asyncio.open_connection("198.51.100.7", 80)
