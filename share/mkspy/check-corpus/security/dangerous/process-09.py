# expect: SEC003 (asyncio subprocess)
import asyncio


async def f():
    await asyncio.create_subprocess_shell("id")
