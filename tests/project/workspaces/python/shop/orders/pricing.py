from shop.discounts import best_discount

from ..util import clamp


def price_after_discount(cents, code):
    rate = best_discount(code)
    if rate is None:
        return None
    return clamp(cents - cents * rate // 100, 0, cents)
