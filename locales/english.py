"""English is the source text: its catalog maps every message to itself (`make messages` runs this)."""

from babel.messages.pofile import read_po, write_po

from locales import FOLDER


def fill_english() -> int:
    """Give every message of the English catalog its own text; returns how many messages it holds."""
    path = FOLDER / "en" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as file:
        catalog = read_po(file, locale="en")
    for message in catalog:
        if message.id:
            message.string = message.id  # a plural's id is (singular, plural): so is its text
            message.flags.discard("fuzzy")
    with path.open("wb") as file:
        write_po(file, catalog, width=100, omit_header=False)
    return len(catalog)


if __name__ == "__main__":
    print(f"English catalog: {fill_english()} messages, each its own translation")
