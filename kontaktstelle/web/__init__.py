"""What every page uses: middleware, mixins, the resilient cache and the public page cache,
rate limits, validators, spreadsheets. Base layer: imports no app.
"""
