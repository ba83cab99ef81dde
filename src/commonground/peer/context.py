def staff_nav(request):
    """The workspace's menu, on its own pages only (no query anywhere else)."""
    if not request.path.startswith("/peer/"):
        return {}
    from commonground.peer.access import signed_in_staff

    return {"staff_nav": signed_in_staff(request)}
