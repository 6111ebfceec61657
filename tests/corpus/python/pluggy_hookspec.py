# Excerpt from pluggy 1.5.0, docs/examples/eggsample/eggsample/hookspecs.py (MIT licence)
import pluggy

hookspec = pluggy.HookspecMarker("eggsample")


@hookspec
def eggsample_add_ingredients(ingredients: tuple):
    """Have a look at the ingredients and offer your own.

    :param ingredients: the ingredients, don't touch them!
    :return: a list of ingredients
    """
