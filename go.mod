module socle

go 1.26.8
