"""A ReAct agent whose tools share state through a small class."""
import dspy


class Inventory:
    def __init__(self):
        self.stock = {"apple": 3, "pear": 0}

    def check_stock(self, item: str) -> int:
        """Return how many of the item are in stock."""
        return self.stock.get(item, 0)

    def reserve(self, item: str, quantity: int) -> str:
        """Reserve a quantity of the item if enough are in stock."""
        if self.stock.get(item, 0) < quantity:
            return f"only {self.stock.get(item, 0)} {item} left"
        self.stock[item] -= quantity
        return f"reserved {quantity} {item}"


class ShopAssistant(dspy.Module):
    def __init__(self):
        super().__init__()
        inventory = Inventory()
        self.agent = dspy.ReAct("request -> reply", tools=[inventory.check_stock, inventory.reserve], max_iters=5)

    def forward(self, request):
        return self.agent(request=request)
