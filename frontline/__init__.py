"""Frontline (一线): run cadre deployment campaigns (干部下沉) end to end."""
