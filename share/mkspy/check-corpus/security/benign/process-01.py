# benign: asyncio.run
import asyncio


async def main():
    return 1


result = asyncio.run(main())
