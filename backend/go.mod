module forma.dev/backend

go 1.26

require forma.dev/shared v0.0.0

replace forma.dev/shared => ../shared
