"""Policy matching (惠企政策直达 / 精准推送): who qualifies for which policy, and why."""
