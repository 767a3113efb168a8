"""Threat intelligence received by the Department: botnet IP lists (danh sách IP Botnet)."""
