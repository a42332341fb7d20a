"""fms-sim's precision sweeper for Hydra (``hydra/sweeper=precision``); Hydra finds it in this namespace."""
