import gc
import warnings

from tests import fakes
from tests.fakes import FakeMonitor, make_app, settle


async def test_quitting_as_a_poll_is_requested_leaves_no_coroutine_never_awaited() -> None:
    """`q` pressed as the poll timer fires: the poll never starts, and the terminal must not
    get a "coroutine ... was never awaited" warning after the app is gone."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        app = make_app(FakeMonitor(fakes.healthy()))
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)  # the first poll is done
            app.exit()
            app.request_poll()
        del app
        gc.collect()
    assert not [w for w in caught if "never awaited" in str(w.message)]
