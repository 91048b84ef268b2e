package matching

import (
	"math"

	"socle"
)

// Distances. The COG files Socle imports carry no coordinates, so distance
// is approximated from the départements: each département is placed at its
// chef-lieu (préfecture), to about a kilometre, from the table below; the
// distance of two communes is then
//
//   - 0 km for the same commune;
//   - SameDepartementKm for two communes of the same département, the
//     typical distance between two communes of one département;
//   - the great-circle distance of the chefs-lieux otherwise.
//
// It is an approximation, good enough to rank "near" before "far" and to
// explain it; an import of commune centroids would replace it.

// SameDepartementKm is the distance assumed between two different communes
// of the same département.
const SameDepartementKm = 20.0

// UnknownKm is the distance assumed when a commune is unknown or lies in a
// département missing from the table.
const UnknownKm = 500.0

// departementCentres are the coordinates (latitude, longitude) of the
// chef-lieu of each département.
var departementCentres = map[string][2]float64{
	"01": {46.205, 5.225}, "02": {49.564, 3.620}, "03": {46.566, 3.333}, "04": {44.092, 6.236},
	"05": {44.559, 6.079}, "06": {43.710, 7.262}, "07": {44.735, 4.599}, "08": {49.762, 4.720},
	"09": {42.965, 1.607}, "10": {48.297, 4.074}, "11": {43.213, 2.351}, "12": {44.351, 2.575},
	"13": {43.296, 5.370}, "14": {49.183, -0.371}, "15": {44.926, 2.440}, "16": {45.649, 0.156},
	"17": {46.160, -1.151}, "18": {47.081, 2.399}, "19": {45.267, 1.772}, "2A": {41.919, 8.739},
	"2B": {42.697, 9.451}, "21": {47.322, 5.041}, "22": {48.514, -2.765}, "23": {46.171, 1.872},
	"24": {45.184, 0.722}, "25": {47.238, 6.024}, "26": {44.933, 4.892}, "27": {49.024, 1.151},
	"28": {48.446, 1.489}, "29": {47.996, -4.102}, "30": {43.837, 4.360}, "31": {43.605, 1.444},
	"32": {43.646, 0.586}, "33": {44.838, -0.579}, "34": {43.611, 3.877}, "35": {48.117, -1.678},
	"36": {46.811, 1.686}, "37": {47.394, 0.685}, "38": {45.188, 5.724}, "39": {46.675, 5.555},
	"40": {43.890, -0.500}, "41": {47.586, 1.336}, "42": {45.439, 4.387}, "43": {45.043, 3.885},
	"44": {47.218, -1.554}, "45": {47.903, 1.909}, "46": {44.448, 1.441}, "47": {44.203, 0.616},
	"48": {44.518, 3.500}, "49": {47.474, -0.554}, "50": {49.116, -1.091}, "51": {48.957, 4.363},
	"52": {48.111, 5.139}, "53": {48.073, -0.770}, "54": {48.692, 6.184}, "55": {48.772, 5.161},
	"56": {47.658, -2.760}, "57": {49.119, 6.176}, "58": {46.990, 3.159}, "59": {50.629, 3.057},
	"60": {49.430, 2.083}, "61": {48.432, 0.092}, "62": {50.291, 2.778}, "63": {45.778, 3.087},
	"64": {43.295, -0.371}, "65": {43.233, 0.078}, "66": {42.699, 2.895}, "67": {48.573, 7.752},
	"68": {48.079, 7.358}, "69": {45.764, 4.836}, "70": {47.622, 6.156}, "71": {46.307, 4.828},
	"72": {48.006, 0.199}, "73": {45.564, 5.918}, "74": {45.900, 6.129}, "75": {48.857, 2.352},
	"76": {49.443, 1.100}, "77": {48.540, 2.661}, "78": {48.804, 2.120}, "79": {46.323, -0.465},
	"80": {49.894, 2.296}, "81": {43.929, 2.148}, "82": {44.018, 1.355}, "83": {43.125, 5.930},
	"84": {43.949, 4.806}, "85": {46.670, -1.426}, "86": {46.580, 0.340}, "87": {45.834, 1.262},
	"88": {48.174, 6.449}, "89": {47.798, 3.567}, "90": {47.640, 6.863}, "91": {48.629, 2.441},
	"92": {48.892, 2.207}, "93": {48.910, 2.439}, "94": {48.791, 2.455}, "95": {49.036, 2.076},
	"971": {15.998, -61.726}, "972": {14.616, -61.059}, "973": {4.938, -52.326},
	"974": {-20.882, 55.450}, "975": {46.781, -56.177}, "976": {-12.781, 45.228},
	"977": {17.897, -62.850}, "978": {18.068, -63.083},
}

// departementOf returns the département of a commune code, Corsica included
// (2A…, 2B…).
func departementOf(commune string) string { return socle.DepartementOf(commune) }

// haversineKm is the great-circle distance of two points in kilometres.
func haversineKm(a, b [2]float64) float64 {
	const r = 6371.0
	rad := math.Pi / 180
	dLat := (b[0] - a[0]) * rad
	dLon := (b[1] - a[1]) * rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(a[0]*rad)*math.Cos(b[0]*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(h)))
}

// DistanceKm approximates the distance of two communes by their INSEE codes,
// as described above.
func DistanceKm(communeA, communeB string) float64 {
	if communeA == "" || communeB == "" {
		return UnknownKm
	}
	if communeA == communeB {
		return 0
	}
	da, db := departementOf(communeA), departementOf(communeB)
	if da == db {
		return SameDepartementKm
	}
	ca, okA := departementCentres[da]
	cb, okB := departementCentres[db]
	if !okA || !okB {
		return UnknownKm
	}
	return haversineKm(ca, cb)
}
