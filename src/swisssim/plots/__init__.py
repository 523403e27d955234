"""Figures: matplotlib figure builders that take result objects (or their tidy frames) and draw on
an optional ``ax``. Importing this package never switches the matplotlib backend.
"""
