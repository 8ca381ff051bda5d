module forma.dev/shared

go 1.26
