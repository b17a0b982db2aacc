"""What a student's browser shows of an Explorer, for the widget tests of every notebook."""
import base64


def shown_png(explorer):
    """The PNG that the Output widget holds, i.e. what the student's browser displays."""
    (out,) = explorer.output.outputs
    return base64.b64decode(out["data"]["image/png"])


def assert_redraws(explorer, name, value):
    """Setting control ``name`` to ``value`` replaces the shown picture with the explorer's new PNG."""
    before = shown_png(explorer)
    explorer.controls[name].value = value
    after = shown_png(explorer)
    assert after != before and after == explorer.png and after.startswith(b"\x89PNG")
