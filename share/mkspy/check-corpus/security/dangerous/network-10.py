# expect: SEC010 (aiohttp)
import aiohttp


async def fetch(url):
    async with aiohttp.ClientSession() as session:
        return await session.get(url)
